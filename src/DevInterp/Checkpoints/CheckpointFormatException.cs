namespace DevInterp.Checkpoints;

/// <summary>
/// A checkpoint file that cannot be read, with the file and the reason in a one-line message
/// ("model.pt: truncated: the zip central directory ends past the end of the file").
/// </summary>
public class CheckpointFormatException : Exception
{
    /// <summary>Creates the exception for a file and a reason.</summary>
    public CheckpointFormatException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        FilePath = path;
        Reason = reason;
    }

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>Why, without the file name.</summary>
    public string Reason { get; }
}
