using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace DevInterp.Storage;

/// <summary>
/// Writes files so that a reader sees either the old content or the complete new one, never a part: the bytes go to a
/// hidden temporary file in the same folder, are flushed to disk, and the temporary file is renamed over the target
/// (an atomic replace on POSIX and NTFS). A process killed mid-write leaves only a temporary file, named
/// <c>.NAME~HOST~PID~RANDOM.tmp</c>, which every reader ignores and <see cref="CleanStaleTempFiles"/> removes.
/// </summary>
public static class AtomicFile
{
    private const string TempSuffix = ".tmp";

    /// <summary>Temporary files of other machines, or not named by this class, are removed only after this age.</summary>
    public static readonly TimeSpan ForeignTempAge = TimeSpan.FromHours(1);

    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="bytes"/> (creating its folder if needed).</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));
    }

    /// <summary>
    /// Atomically replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given.
    /// When <paramref name="write"/> throws, the target is untouched and the temporary file is deleted.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, TempName(Path.GetFileName(full)));
        var steps = AtomicWriteSteps.Current; // null but in kill tests
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(steps is null ? stream : AtomicWriteSteps.Partial(stream, () => steps(full, AtomicWriteStep.Partial)));
                stream.Flush(flushToDisk: true);
            }
            steps?.Invoke(full, AtomicWriteStep.Written);
            File.Move(temp, full, overwrite: true);
            steps?.Invoke(full, AtomicWriteStep.Replaced);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>True for a temporary file name of this class (or any hidden <c>.tmp</c> file): never a finished file.</summary>
    public static bool IsTempFile(string fileName)
    {
        string name = Path.GetFileName(fileName);
        return name.StartsWith('.') && name.EndsWith(TempSuffix, StringComparison.Ordinal);
    }

    /// <summary>
    /// Deletes the temporary files in <paramref name="folder"/> (not recursive) left by writers that died: those of a
    /// process of this machine that no longer runs, and any other one older than <see cref="ForeignTempAge"/>. A
    /// temporary file of a live writer is kept, so cleaning is safe while other processes write. Returns the count.
    /// </summary>
    public static int CleanStaleTempFiles(string folder)
    {
        if (!Directory.Exists(folder)) return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(folder, "." + "*" + TempSuffix))
        {
            if (!IsTempFile(file) || !IsStale(file)) continue;
            if (TryDelete(file)) removed++;
        }
        return removed;
    }

    private static string TempName(string fileName) =>
        $".{fileName}~{Host}~{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}~{Guid.NewGuid().ToString("N")[..16]}{TempSuffix}";

    /// <summary>This machine's name as it appears in temporary file names: letters, digits and '-', at most 32 characters.</summary>
    internal static readonly string Host =
        new(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').Take(32).ToArray());

    private static bool IsStale(string file)
    {
        string[] parts = Path.GetFileName(file)[..^TempSuffix.Length].Split('~');
        if (parts.Length >= 4 && parts[^3] == Host && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            return !IsAlive(pid);
        try { return DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > ForeignTempAge; }
        catch (IOException) { return false; }
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static bool TryDelete(string file)
    {
        try { File.Delete(file); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
