using DevInterp.Runs;

namespace DevInterp.Tests.Analysis;

/// <summary>Copies a few checkpoints of a shipped demo run (with a trimmed manifest) into a temporary run folder.</summary>
internal static class DemoRunCopy
{
    public static string Make(string demo, params long[] steps)
    {
        string source = Path.Combine(TestPaths.RepoRoot, "checkpoints", demo);
        var manifest = RunManifest.Load(Path.Combine(source, RunManifest.FileName));
        string dir = TestPaths.NewTempDir($"devinterp-{demo}");
        var kept = manifest.Checkpoints.Where(c => steps.Length == 0 || steps.Contains(c.Step)).ToList();
        foreach (var c in kept) File.Copy(Path.Combine(source, c.File), Path.Combine(dir, c.File));
        (manifest with { Checkpoints = kept }).Save(Path.Combine(dir, RunManifest.FileName));
        return dir;
    }
}
