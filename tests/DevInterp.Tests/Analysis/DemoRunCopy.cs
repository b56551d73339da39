using DevInterp.Analysis;
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

    /// <summary>Every <paramref name="nth"/> checkpoint of a demo run (the first included) and their steps.</summary>
    public static (string Run, long[] Steps) EveryNth(string demo, int nth)
    {
        var all = RunManifest.Load(Path.Combine(TestPaths.RepoRoot, "checkpoints", demo, RunManifest.FileName)).Checkpoints;
        long[] steps = all.Where((_, i) => i % nth == 0).Select(c => c.Step).ToArray();
        return (Make(demo, steps), steps);
    }

    /// <summary>An analysis.json for <paramref name="run"/> with short fixed-length LLC chains, for <c>--config</c>.</summary>
    public static string QuickConfig(string run, string name, int draws = 100, int burnIn = 50)
    {
        string config = Path.Combine(TestPaths.NewTempDir(), "analysis.json");
        File.WriteAllText(config, AnalysisConfigBuilder.Create(name, run, Run.Open(run),
            llc: new LlcSettings(Chains: 2, Draws: draws, BurnIn: burnIn, StepSize: 1e-4, TargetRelativeError: null)).ToJson());
        return config;
    }
}
