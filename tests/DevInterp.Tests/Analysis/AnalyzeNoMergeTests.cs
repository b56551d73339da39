using DevInterp.Cli;
using DevInterp.Storage;
using DevInterp.Tests.Cli;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// <c>analyze --shard i/n --no-merge</c> (what Slurm jobs run): every shard writes its own part files only — no
/// consolidated table, no rewrite of analysis.json, nothing after the LLC even when it finishes last — so shards
/// finishing at the same moment never write the same file; <c>merge</c> then completes the analysis.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class AnalyzeNoMergeTests
{
    [Fact]
    public void ShardsWriteOnlyTheirOwnPartsAndMergeCompletes()
    {
        var (run, steps) = DemoRunCopy.EveryNth("dln", 10);
        string config = DemoRunCopy.QuickConfig(run, "nomerge", draws: 20, burnIn: 10);
        string folder = Path.Combine(TestPaths.NewTempDir(), "nomerge");
        var first = CliRunner.Run("analyze", run, "--out", folder, "--config", config, "--shard", "0/2", "--no-merge", "--quiet");
        Assert.True(first.ExitCode == ExitCodes.Success, first.Err);
        string analysisJson = Path.Combine(folder, "analysis.json");
        var written = File.GetLastWriteTimeUtc(analysisJson);
        var beforeSecond = Files(folder);

        var second = CliRunner.Run("analyze", run, "--out", folder, "--config", config, "--shard", "1/2", "--no-merge", "--quiet", "--json");

        Assert.True(second.ExitCode == ExitCodes.Success, second.Err);
        Assert.Contains("\"complete\": false", second.Out);
        Assert.Equal(written, File.GetLastWriteTimeUtc(analysisJson));
        var added = Files(folder).Except(beforeSecond).ToList();
        Assert.NotEmpty(added);
        Assert.All(added, f => Assert.Matches(@"^parts/[a-z_]+/(step-\d+|all)@shard1of2\.arrow$", f));
        // The writer lock (.lock, shared by the shards of one analysis) is the folder's, not a shard's output.
        Assert.All(beforeSecond.Where(f => f is not ("analysis.json" or ".lock")), f => Assert.Matches(@"^parts/[a-z_]+/(step-\d+|all)@shard0of2\.arrow$", f));
        Assert.Empty(Directory.GetFiles(folder, "*.arrow"));

        var merged = CliRunner.Run("merge", folder, "--quiet", "--json");
        Assert.True(merged.ExitCode == ExitCodes.Success, merged.Err);
        Assert.Contains("\"complete\": true", merged.Out);
        Assert.Equal(steps.Length, AnalysisStore.Open(folder).Read<LlcRow>().Count);
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));
    }

    private static HashSet<string> Files(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).ToHashSet();
}
