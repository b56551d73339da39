namespace DevInterp.Checkpoints;

/// <summary>
/// A seam for tests: an operating-system failure (permission denied, an I/O error) raised when a checkpoint or data
/// file is opened for reading, as the file system would raise it. Tests run as root, whom permissions never stop, so
/// this is how the handling of an unreadable checkpoint is tested in-process; it applies to the calling flow only
/// (an <see cref="AsyncLocal{T}"/>), so tests running in parallel never see each other's faults.
/// </summary>
internal static class FileOpenFaults
{
    private static readonly AsyncLocal<Func<string, Exception?>?> Current = new();

    /// <summary>Raises what <paramref name="fault"/> returns (null: no fault) for each file opened, until disposed.</summary>
    public static IDisposable Inject(Func<string, Exception?> fault)
    {
        var before = Current.Value;
        Current.Value = fault;
        return new Restore(before);
    }

    /// <summary>Throws the injected fault for <paramref name="path"/>, if any.</summary>
    public static void ThrowIfInjected(string path)
    {
        if (Current.Value?.Invoke(path) is { } e) throw e;
    }

    private sealed class Restore(Func<string, Exception?>? before) : IDisposable
    {
        public void Dispose() => Current.Value = before;
    }
}
