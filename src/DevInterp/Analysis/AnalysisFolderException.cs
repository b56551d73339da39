namespace DevInterp.Analysis;

/// <summary>
/// An analysis folder that cannot be written: it cannot be created, it lies inside the run it would analyse, or another
/// process is writing into it. The one-line message names the folder and why.
/// </summary>
public sealed class AnalysisFolderException : Exception
{
    /// <summary>Creates the exception for a folder and a reason.</summary>
    public AnalysisFolderException(string folder, string reason, Exception? inner = null)
        : base($"{folder}: {reason}", inner)
    {
        Folder = folder;
        Reason = reason;
    }

    /// <summary>The analysis folder.</summary>
    public string Folder { get; }

    /// <summary>Why, without the folder.</summary>
    public string Reason { get; }
}
