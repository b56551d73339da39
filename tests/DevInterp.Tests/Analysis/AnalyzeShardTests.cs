using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tests.Cli;

namespace DevInterp.Tests.Analysis;

/// <summary>Two shards of <c>devinterp analyze</c> plus <c>devinterp merge</c> give the tables of one whole run.</summary>
[Collection(GlobalTorchState.Name)]
public class AnalyzeShardTests
{
    [Fact]
    public void TwoShardsThenMergeEqualOneWholeRun()
    {
        var (run, steps) = DemoRunCopy.EveryNth("dln", 4);
        string config = DemoRunCopy.QuickConfig(run, "shards");
        string whole = Path.Combine(TestPaths.NewTempDir(), "whole"), sharded = Path.Combine(TestPaths.NewTempDir(), "sharded");

        Assert.Equal(ExitCodes.Success, CliRunner.Run("analyze", run, "--out", whole, "--config", config, "--quiet").ExitCode);
        var first = CliRunner.Run("analyze", run, "--out", sharded, "--config", config, "--quiet", "--shard", "0/2");
        var second = CliRunner.Run("analyze", run, "--out", sharded, "--config", config, "--quiet", "--shard", "1/2", "--json");
        var merged = CliRunner.Run("merge", sharded, "--quiet");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Contains("wait for other shards", first.Out);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("\"complete\": true", second.Out); // the last shard to finish completes the analysis
        Assert.True(merged.ExitCode == ExitCodes.Success, merged.Err);
        var a = AnalysisStore.Open(whole);
        var b = AnalysisStore.Open(sharded);
        Assert.Equal(steps.Length, b.Read<LlcRow>().Count);
        Assert.Equal(a.Read<LlcRow>().OrderBy(r => r.Step).Select(r => (r.Step, r.Mean, r.Std)),
            b.Read<LlcRow>().OrderBy(r => r.Step).Select(r => (r.Step, r.Mean, r.Std)));
        Assert.Equal(a.Read<SimilarityRow>().OrderBy(x => (x.Layer, x.Measure, x.StepA, x.StepB)).ToList(),
            b.Read<SimilarityRow>().OrderBy(x => (x.Layer, x.Measure, x.StepA, x.StepB)).ToList());
        Assert.True(File.Exists(Path.Combine(sharded, "report.html")));
    }
}
