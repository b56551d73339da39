namespace DevInterp.Cli;

/// <summary>An IProgress that reports on the caller's thread, immediately (System.Progress posts to the thread pool).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
