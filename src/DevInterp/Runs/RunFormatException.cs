namespace DevInterp.Runs;

/// <summary>A run directory or manifest that cannot be used, with the path and the reason in a one-line message.</summary>
public class RunFormatException : Exception
{
    /// <summary>Creates the exception for a path and a reason.</summary>
    public RunFormatException(string path, string reason, Exception? inner = null) : base($"{path}: {reason}", inner)
    {
        FilePath = path;
        Reason = reason;
    }

    /// <summary>The run directory or file at fault.</summary>
    public string FilePath { get; }

    /// <summary>Why, without the path.</summary>
    public string Reason { get; }
}
