namespace DevInterp.Tasks;

/// <summary>
/// A task's data file cannot be used: unreadable, corrupt, of an unsupported type, or not holding what the task spec
/// asks for. The one-line message starts with the file and says what was expected ("train.csv: line 7: 3 fields,
/// expected 4 as in the header").
/// </summary>
public sealed class DataFileException : Exception
{
    /// <summary>Creates the exception for a file and a reason.</summary>
    public DataFileException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The file at fault.</summary>
    public string Path { get; }

    /// <summary>What was wrong, without the file name.</summary>
    public string Reason { get; }
}
