using DevInterp.Cli;
using DevInterp.Storage;
using DevInterp.Tests.Cli;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// <c>devinterp analyze</c> end to end on small copies of the DLN demo run: the analysis.json it records reproduces
/// the numbers in a fresh folder, and a corrupt checkpoint is recorded with its error while the rest is analysed
/// (exit code 3).
/// </summary>
[Collection(GlobalTorchState.Name)]
public class AnalyzeCommandTests
{
    [Fact]
    public void RerunningWithTheRecordedAnalysisJsonReproducesTheTables()
    {
        var (run, _) = DemoRunCopy.EveryNth("dln", 6);
        string first = Path.Combine(TestPaths.NewTempDir(), "first"), again = Path.Combine(TestPaths.NewTempDir(), "again");
        Assert.Equal(ExitCodes.Success, CliRunner.Run("analyze", run, "--out", first, "--config", DemoRunCopy.QuickConfig(run, "repro"), "--quiet").ExitCode);

        // Only what the first analysis recorded: its analysis.json.
        var rerun = CliRunner.Run("analyze", run, "--out", again, "--config", Path.Combine(first, "analysis.json"), "--quiet");

        Assert.True(rerun.ExitCode == ExitCodes.Success, rerun.Err);
        var (a, b) = (AnalysisStore.Open(first), AnalysisStore.Open(again));
        // Rows hold arrays (compared by reference in a record): compare them as the values they hold.
        static object Llc(LlcRow r) => (r with { ElapsedSeconds = 0, ChainEstimates = [] }, string.Join(",", r.ChainEstimates));
        Assert.Equal(a.Read<LlcRow>().Select(Llc), b.Read<LlcRow>().Select(Llc));
        Assert.Equal(a.Read<LlcTraceRow>(), b.Read<LlcTraceRow>());
        Assert.Equal(a.Read<SimilarityRow>(), b.Read<SimilarityRow>());
        Assert.Equal(a.Read<DynamicsCoordinateRow>(), b.Read<DynamicsCoordinateRow>());
        Assert.Equal(a.Read<StageSummaryRow>().Select(s => (s.StartStep, s.EndStep, string.Join(",", s.Signals))),
            b.Read<StageSummaryRow>().Select(s => (s.StartStep, s.EndStep, string.Join(",", s.Signals))));
    }

    [Fact]
    public void ACorruptCheckpointIsRecordedAndTheRestIsAnalysed()
    {
        var (run, steps) = DemoRunCopy.EveryNth("dln", 6);
        long bad = steps[2];
        string badFile = Directory.GetFiles(run, $"step_{bad:D6}.*").Single();
        byte[] bytes = File.ReadAllBytes(badFile);
        File.WriteAllBytes(badFile, bytes[..(bytes.Length / 2)]); // truncated mid-tensor
        string folder = Path.Combine(TestPaths.NewTempDir(), "partial");

        var result = CliRunner.Run("analyze", run, "--out", folder, "--config", DemoRunCopy.QuickConfig(run, "partial"), "--quiet");

        Assert.Equal(ExitCodes.PartialFailure, result.ExitCode);
        Assert.Contains(Path.GetFileName(badFile), result.Err);
        var store = AnalysisStore.Open(folder);
        var failed = Assert.Single(store.Read<CheckpointRow>(), r => r.Status == CheckpointStatus.Failed);
        Assert.Equal(bad, failed.Step);
        Assert.False(string.IsNullOrWhiteSpace(failed.Error));
        Assert.Equal(steps.Where(s => s != bad), store.Read<LlcRow>().Where(r => double.IsFinite(r.Mean)).Select(r => r.Step));
        Assert.True(File.Exists(Path.Combine(folder, "report.html")), "the report is still written");
    }
}
