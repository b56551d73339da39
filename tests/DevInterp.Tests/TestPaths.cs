namespace DevInterp.Tests;

/// <summary>Locations the tests read from, resolved from the repository root (the folder holding DevInterp.sln).</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DevInterp.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"no DevInterp.sln above {AppContext.BaseDirectory}");
    });

    /// <summary>The repository root.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>
    /// The shared reference files written by real PyTorch / safetensors / TorchSharp tooling (../shared/external-checkpoints
    /// beside the checkout). Missing is a failure, never a skip: these files are the evidence that the readers are right.
    /// </summary>
    public static string External(string relative)
    {
        string dir = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "external-checkpoints"));
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException(MissingSharedFolderMessage(dir));
        string path = Path.Combine(dir, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"shared reference file missing: {path}");
        return path;
    }

    /// <summary>Why <see cref="External"/> fails when the shared folder <paramref name="dir"/> is absent: what it is and where it belongs.</summary>
    public static string MissingSharedFolderMessage(string dir) =>
        $"shared reference checkpoints missing: expected the folder {dir}, i.e. ../shared/external-checkpoints beside " +
        $"the checkout {RepoRoot}. It holds checkpoint files written by real PyTorch, safetensors and TorchSharp tooling " +
        "(described by its own PROVENANCE.md) that the reader tests compare against; it is not part of the repository, " +
        "so put a copy there.";

    /// <summary>Fixtures committed with the tests (tests/DevInterp.Tests/Fixtures/...).</summary>
    public static string Fixture(string relative)
    {
        string path = Path.Combine(RepoRoot, "tests", "DevInterp.Tests", "Fixtures", relative);
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"test fixture missing: {path}");
        return path;
    }

    /// <summary>A fresh empty temporary folder for one test.</summary>
    public static string NewTempDir(string prefix = "devinterp-test")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
