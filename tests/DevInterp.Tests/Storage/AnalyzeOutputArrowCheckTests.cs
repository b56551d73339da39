using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tests.Analysis;
using DevInterp.Tests.Cli;
using Xunit.Abstractions;

namespace DevInterp.Tests.Storage;

/// <summary>
/// The folder a real <c>devinterp analyze</c> writes (not a synthetic store): every table that has parts ends as one
/// consolidated top-level file (what pandas.read_feather and polars.read_ipc open), and the JavaScript Arrow
/// implementation reads every cell of every file as the C# side wrote it.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class AnalyzeOutputArrowCheckTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryTableOfAnAnalyzeFolderIsConsolidatedAndReadsTheSameInJavaScript()
    {
        ArrowNodeCheckTests.Ready();
        var (run, _) = DemoRunCopy.EveryNth("dln", 5);
        string config = DemoRunCopy.QuickConfig(run, "arrow", draws: 50, burnIn: 20);
        string folder = Path.Combine(TestPaths.NewTempDir(), "analysis");

        var analyze = CliRunner.Run("analyze", run, "--out", folder, "--config", config, "--quiet");
        Assert.True(analyze.ExitCode == ExitCodes.Success, analyze.Err);

        var store = AnalysisStore.Open(folder);
        var written = AnalysisTables.All.Where(t => store.Parts(t.Name).Count > 0).Select(t => t.Name).ToList();
        Assert.Superset(new HashSet<string> { "checkpoints", "llc", "llc_traces", "similarity", "essential_dynamics", "stages" }, written.ToHashSet());
        foreach (string table in written)
        {
            Assert.True(store.State(table) == TableState.Consolidated, $"{table} is {store.State(table)} after analyze");
            Assert.True(File.Exists(Path.Combine(folder, table + ".arrow")), $"{table}.arrow is missing");
        }

        string dump = Path.Combine(TestPaths.NewTempDir(), "dump.json");
        AnalysisStoreDump.Write(store, dump);
        var (code, stdout, stderr) = ArrowNodeCheckTests.RunCheck(folder, dump);
        output.WriteLine(stdout);
        Assert.True(code == 0, $"arrow-check failed:\n{stdout}\n{stderr}");
        Assert.Contains("all cells equal", stdout);
    }
}
