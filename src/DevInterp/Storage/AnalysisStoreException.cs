namespace DevInterp.Storage;

/// <summary>A stored table or part is unreadable, does not match its schema, or conflicts with another part.</summary>
public sealed class AnalysisStoreException : Exception
{
    /// <summary>Creates the exception with a one-line message naming the file, table and column concerned.</summary>
    public AnalysisStoreException(string message) : base(message) { }

    /// <summary>Creates the exception with a one-line message and the error that caused it.</summary>
    public AnalysisStoreException(string message, Exception inner) : base(message, inner) { }
}
