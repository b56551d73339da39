using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Tests.Analysis;

public class LlcRunAnalysisTests
{
    // Short chains with a fixed step size: these tests check the pass's bookkeeping, not the estimator.
    private static readonly LlcSettings Fast = new(Chains: 4, Draws: 60, BurnIn: 30, StepSize: 1e-4, TargetRelativeError: null);

    private static (AnalysisConfig, Run) Setup(string runDir)
    {
        var run = Run.Open(runDir);
        return (AnalysisConfigBuilder.Create("test", runDir, run, llc: Fast), run);
    }

    [Fact]
    public void WritesOneRowPerCheckpointAndResumesWithoutRecomputing()
    {
        string runDir = DemoRunCopy.Make("dln", 0, 97, 700, 5000);
        string outDir = TestPaths.NewTempDir();
        var (config, run) = Setup(runDir);
        var (cfg, store) = AnalysisFolder.Open(outDir, config, [AnalysisSection.Llc]);

        var first = LlcRunAnalysis.Run(cfg, run, store);
        var second = LlcRunAnalysis.Run(cfg, run, AnalysisStore.Open(outDir));

        Assert.Equal(new long[] { 0, 97, 700, 5000 }, first.Estimated);
        Assert.Empty(second.Estimated);
        Assert.Equal(new long[] { 0, 97, 700, 5000 }, second.AlreadyDone);
        var rows = store.Read<LlcRow>().OrderBy(r => r.Step).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(1e-4, r.StepSize));
        Assert.All(rows, r => Assert.Equal("given", r.StepSizeSource));
        Assert.Equal(4 * 4 * 60, store.Read<LlcTraceRow>().Count);
        var checkpoints = store.Read<CheckpointRow>().OrderBy(r => r.Step).ToList();
        Assert.All(checkpoints, c => Assert.Equal(CheckpointStatus.Ok, c.Status));
        Assert.All(checkpoints, c => Assert.Contains("train_loss", c.Metrics.Keys));
        // The trained network (step 5000) sits at a minimum of a 192-parameter model: its λ̂ is positive and below d/2.
        Assert.InRange(rows[^1].Mean, 0, 96);
    }

    [Fact]
    public void ResumingAfterLosingPartsGivesTheSameTables()
    {
        string runDir = DemoRunCopy.Make("dln", 0, 291, 2087);
        var (config, run) = Setup(runDir);
        string complete = TestPaths.NewTempDir();
        var (cfg, store) = AnalysisFolder.Open(complete, config, [AnalysisSection.Llc]);
        LlcRunAnalysis.Run(cfg, run, store);

        // A second analysis that "crashed" after the first checkpoint: its other units are gone.
        string resumed = TestPaths.NewTempDir();
        var (cfg2, store2) = AnalysisFolder.Open(resumed, config, [AnalysisSection.Llc]);
        LlcRunAnalysis.Run(cfg2, run, store2);
        foreach (string table in new[] { "llc", "llc_traces", "checkpoints" })
            foreach (string part in Directory.GetFiles(store2.PartsFolder(table)).Where(p => !p.Contains("step-000000000000")))
                File.Delete(part);
        var result = LlcRunAnalysis.Run(cfg2, run, AnalysisStore.Open(resumed));

        Assert.Equal(new long[] { 291, 2087 }, result.Estimated);
        Assert.Equal(Without(store.Read<LlcRow>()), Without(AnalysisStore.Open(resumed).Read<LlcRow>()));
        Assert.Equal(store.Read<LlcTraceRow>().OrderBy(t => (t.Step, t.Chain, t.Draw)),
            AnalysisStore.Open(resumed).Read<LlcTraceRow>().OrderBy(t => (t.Step, t.Chain, t.Draw)));
    }

    private static List<string> Without(IEnumerable<LlcRow> rows) =>
        rows.OrderBy(r => r.Step).Select(r => (r with { ElapsedSeconds = 0 }).ToString()).ToList();

    [Fact]
    public void ABadCheckpointIsRecordedAndTheRestGoOn()
    {
        string runDir = DemoRunCopy.Make("dln", 0, 97, 5000);
        File.WriteAllBytes(Path.Combine(runDir, "step_000097.safetensors"), [1, 2, 3, 4]);
        var (config, run) = Setup(runDir);
        var (cfg, store) = AnalysisFolder.Open(TestPaths.NewTempDir(), config, [AnalysisSection.Llc]);

        var result = LlcRunAnalysis.Run(cfg, run, store);

        Assert.Equal(new long[] { 0, 5000 }, result.Estimated);
        var failure = Assert.Single(result.Failed);
        Assert.Equal(97, failure.Step);
        Assert.Contains("step_000097.safetensors", failure.Error);
        var row = store.Read<CheckpointRow>().Single(r => r.Step == 97);
        Assert.Equal(CheckpointStatus.Failed, row.Status);
        Assert.Contains("step_000097.safetensors", row.Error);
    }

    [Fact]
    public void ShardsSplitTheCheckpointsAndMergeIntoOneTable()
    {
        string runDir = DemoRunCopy.Make("dln", 0, 97, 700, 5000);
        var (config, run) = Setup(runDir);
        string outDir = TestPaths.NewTempDir();
        var (cfg, _) = AnalysisFolder.Open(outDir, config, [AnalysisSection.Llc]);

        var a = LlcRunAnalysis.Run(cfg, run, AnalysisStore.Open(outDir, "shard0of2"), new Shard(0, 2));
        var b = LlcRunAnalysis.Run(cfg, run, AnalysisStore.Open(outDir, "shard1of2"), new Shard(1, 2));

        Assert.Equal(new long[] { 0, 700 }, a.Estimated);
        Assert.Equal(new long[] { 97, 5000 }, b.Estimated);
        var store = AnalysisStore.Open(outDir);
        store.Consolidate("llc");
        Assert.Equal(new long[] { 0, 97, 700, 5000 }, store.Read<LlcRow>().Select(r => r.Step).Order());
    }

    [Fact]
    public void AFolderOfAnotherAnalysisIsRefused()
    {
        string runDir = DemoRunCopy.Make("dln", 0, 97);
        var (config, run) = Setup(runDir);
        string outDir = TestPaths.NewTempDir();
        var (cfg, store) = AnalysisFolder.Open(outDir, config, [AnalysisSection.Llc]);
        LlcRunAnalysis.Run(cfg, run, store);

        var e = Assert.Throws<RunFormatException>(() =>
            AnalysisFolder.Open(outDir, config with { Llc = Fast with { Chains = 6 } }, [AnalysisSection.Llc]));
        Assert.Contains("other 'llc' settings", e.Message);
        Assert.Contains("analysis.json", e.Message);
    }
}
