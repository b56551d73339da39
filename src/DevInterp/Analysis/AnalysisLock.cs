using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DevInterp.Analysis;

/// <summary>
/// One writer per analysis folder. A writer holds an operating-system lock (<c>flock</c>) on <c>FOLDER/.lock</c> for as
/// long as it writes, and records who it is (pid, host, start time, command line) in <c>FOLDER/.lock-holder.json</c> so
/// that a second writer is refused at once with a message saying who holds the folder. Sharded processes
/// (<c>--shard i/n</c>) write disjoint parts of one recorded configuration, so they share the lock with each other, and
/// exclude every other writer. The kernel drops the lock of a process that dies (kill -9 included), so a lock left by a
/// killed process is taken over by the next writer, which reports whom it took over from
/// (<see cref="TakenOverFrom"/>). Within one process, nested acquisitions on the same thread (the command line around the
/// library pipeline) share the outer lock; another thread is refused like another process.
/// </summary>
public sealed class AnalysisLock : IDisposable
{
    /// <summary>The file the lock is held on.</summary>
    public const string FileName = ".lock";

    /// <summary>The file that says who holds the lock.</summary>
    public const string HolderFileName = ".lock-holder.json";

    // Folders this thread holds: the command line takes the lock and then runs the library pipeline, which takes it
    // again, on the same thread. (Not an AsyncLocal: that would flow into threads the holder starts, which are writers
    // of their own.)
    [ThreadStatic]
    private static List<string>? _held;

    private readonly FileStream? _stream;
    private readonly string _folder;
    private readonly List<string>? _heldBy; // the acquiring thread's list, whichever thread disposes
    private bool _disposed;

    private AnalysisLock(string folder, FileStream? stream, string? takenOverFrom, List<string>? heldBy = null)
    {
        _folder = folder;
        _stream = stream;
        _heldBy = heldBy;
        TakenOverFrom = takenOverFrom;
    }

    /// <summary>
    /// Who held the lock before and ended without releasing it (a killed process), when this writer took it over;
    /// null otherwise.
    /// </summary>
    public string? TakenOverFrom { get; }

    /// <summary>
    /// Takes the folder's writer lock (creating the folder), exclusive or, for shards of one sharded analysis, shared.
    /// </summary>
    /// <exception cref="AnalysisFolderException">Another writer holds the folder, or the folder cannot be created or written.</exception>
    public static AnalysisLock Acquire(string folder, bool shared = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        if (_held is not null && _held.Contains(full)) return new AnalysisLock(full, null, null); // the caller's lock covers us

        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AnalysisFolderException(folder, $"cannot create the folder: {e.Message}", e);
        }
        string lockPath = Path.Combine(full, FileName);
        FileStream stream;
        try
        {
            // .NET takes flock(LOCK_EX) for FileShare.None and flock(LOCK_SH) for a read share, non-blocking.
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, shared ? FileShare.ReadWrite : FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AnalysisFolderException(folder, $"cannot write into the folder: {e.Message}", e);
        }
        catch (IOException e) when (File.Exists(lockPath))
        {
            throw new AnalysisFolderException(folder, Refusal(full, shared), e);
        }
        catch (IOException e)
        {
            throw new AnalysisFolderException(folder, $"cannot write into the folder: {e.Message}", e);
        }

        string? takenOver;
        try
        {
            takenOver = CheckPreviousHolder(full, shared);
            WriteHolder(full, shared);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        lock (_held ??= []) _held.Add(full);
        return new AnalysisLock(full, stream, takenOver, _held);
    }

    /// <summary>Releases the lock (and says nobody holds it, when this process was the one recorded).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_stream is null) return;
        try
        {
            if (ReadHolder(_folder) is { } holder && holder.Pid == Environment.ProcessId && holder.Host == Environment.MachineName)
                File.Delete(Path.Combine(_folder, HolderFileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The lock itself is released below; a leftover holder file is only reported as taken over later.
        }
        _stream.Dispose(); // the lock file stays: deleting it would let two writers lock two different files
        lock (_heldBy!) _heldBy.Remove(_folder);
    }

    /// <summary>Who holds the folder, from its holder file, or null when nobody is recorded.</summary>
    public static LockHolder? ReadHolder(string folder)
    {
        string path = Path.Combine(folder, HolderFileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<LockHolder>(File.ReadAllText(path), AnalysisConfig.Json) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static string Refusal(string folder, bool shared)
    {
        var holder = ReadHolder(folder);
        string who = holder is null
            ? "another process"
            : $"{(holder.Shared ? "a sharded process" : "another process")} (pid {holder.Pid} on {holder.Host}, since {holder.Started:yyyy-MM-dd HH:mm:ss} UTC: {Clip(holder.Command)})";
        string what = shared && holder is { Shared: false } ? "it is not part of this sharded analysis; " : "";
        return $"{who} is writing into this analysis folder; {what}wait for it to finish, or write into another folder";
    }

    // A holder file that names a process other than a live sharer: the process ended without releasing (killed), so
    // its lock is taken over. One that names a live process on this host means the file system ignored the lock.
    private static string? CheckPreviousHolder(string folder, bool shared)
    {
        var holder = ReadHolder(folder);
        if (holder is null || (holder.Pid == Environment.ProcessId && holder.Host == Environment.MachineName)) return null;
        if (holder.Host == Environment.MachineName && IsAlive(holder))
        {
            if (shared && holder.Shared) return null; // another shard of the same analysis
            throw new AnalysisFolderException(folder,
                $"{Refusal(folder, shared)} (this file system does not enforce locks, so the holder file decides)");
        }
        return $"pid {holder.Pid} on {holder.Host} ({Clip(holder.Command)}), which ended without releasing it";
    }

    private static bool IsAlive(LockHolder holder)
    {
        try
        {
            using var process = Process.GetProcessById(holder.Pid);
            // A recycled pid belongs to a process that started later.
            return Math.Abs((process.StartTime.ToUniversalTime() - holder.ProcessStarted).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    private static void WriteHolder(string folder, bool shared)
    {
        DateTime processStarted;
        using (var self = Process.GetCurrentProcess()) processStarted = self.StartTime.ToUniversalTime();
        var holder = new LockHolder(Environment.ProcessId, Environment.MachineName, DateTime.UtcNow, processStarted,
            string.Join(' ', Environment.GetCommandLineArgs()), shared);
        try
        {
            Storage.AtomicFile.WriteAllText(Path.Combine(folder, HolderFileName), JsonSerializer.Serialize(holder, AnalysisConfig.Json));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AnalysisFolderException(folder, $"cannot write into the folder: {e.Message}", e);
        }
    }

    private static string Clip(string text)
    {
        string line = Checkpoints.PrintableText.OneLine(text);
        return line.Length <= 120 ? line : line[..117] + "...";
    }
}

/// <summary>Who holds an analysis folder's writer lock (its <c>.lock-holder.json</c>).</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Host">Machine name.</param>
/// <param name="Started">When it took the lock (UTC).</param>
/// <param name="ProcessStarted">When the process started (UTC), to tell a recycled pid from the holder.</param>
/// <param name="Command">Its command line.</param>
/// <param name="Shared">True for a shard of a sharded analysis (<c>--shard</c>).</param>
public sealed record LockHolder(int Pid, string Host, DateTime Started, DateTime ProcessStarted, string Command, bool Shared)
{
    /// <summary>Started, as invariant text.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"pid {Pid} on {Host} since {Started:u}");
}
