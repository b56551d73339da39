using System.Diagnostics;

namespace DevInterp.Tests.Checkpoints;

/// <summary>
/// The hostile checkpoint files of issue 14, written once per test run by
/// <c>Fixtures/hostile/make_hostile.py</c> (Python's standard library only) into a temporary folder: files that are
/// small on disk and expensive only to a reader that trusts them, a FIFO and a device. The big set (sparse files of
/// gigabytes) is the <c>.ci/hostile-check</c> step's.
/// </summary>
public sealed class HostileFiles : IDisposable
{
    private static readonly Lazy<HostileFiles> Shared = new(() => new HostileFiles());

    private HostileFiles()
    {
        Folder = TestPaths.NewTempDir("devinterp-hostile");
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(TestPaths.Fixture("hostile/make_hostile.py"));
        info.ArgumentList.Add(Folder);
        using var python = Process.Start(info) ?? throw new InvalidOperationException("python3 could not be started (it writes the hostile files)");
        string err = python.StandardError.ReadToEnd();
        python.StandardOutput.ReadToEnd();
        if (!python.WaitForExit(TimeSpan.FromMinutes(5))) throw new TimeoutException("make_hostile.py did not finish in 5 minutes");
        if (python.ExitCode != 0) throw new InvalidOperationException($"make_hostile.py failed: {err}");
    }

    /// <summary>The files, written on first use.</summary>
    public static HostileFiles Instance => Shared.Value;

    /// <summary>The folder holding them.</summary>
    public string Folder { get; }

    /// <summary>The path of one of them.</summary>
    public string this[string name] => Path.Combine(Folder, name);

    /// <summary>Every file written, by name.</summary>
    public IReadOnlyList<string> Names => Directory.EnumerateFileSystemEntries(Folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    /// <summary>Size on disk (0 for a FIFO or a device).</summary>
    public long Size(string name)
    {
        var info = new FileInfo(this[name]);
        return info.LinkTarget is not null || DevInterp.Native.FileKinds.Of(info.FullName) != DevInterp.Native.FileKind.Regular ? 0 : info.Length;
    }

    /// <inheritdoc />
    public void Dispose() { }
}
