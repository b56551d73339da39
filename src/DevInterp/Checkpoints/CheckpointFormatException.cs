namespace DevInterp.Checkpoints;

/// <summary>
/// A checkpoint file that cannot be read, with the file and the reason in a one-line message
/// ("model.pt: truncated: the zip central directory ends past the end of the file").
/// </summary>
public class CheckpointFormatException : Exception
{
    /// <summary>
    /// Creates the exception for a file and a reason. Control characters in the reason (a corrupt file's names can hold
    /// any byte) are escaped (<c>\n</c>, <c>\x01</c>), so the message stays one line.
    /// </summary>
    public CheckpointFormatException(string path, string reason, Exception? inner = null)
        : base($"{PrintableText.Escape(path)}: {Escape(reason)}", inner)
    {
        FilePath = path;
        Reason = Escape(reason);
    }

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>Why, without the file name.</summary>
    public string Reason { get; }

    private static string Escape(string reason) => PrintableText.Escape(reason);
}
