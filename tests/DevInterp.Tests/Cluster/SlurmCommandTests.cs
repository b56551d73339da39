using System.Text.Json.Nodes;
using DevInterp.Cli;
using DevInterp.Tests.Analysis;
using DevInterp.Tests.Cli;

namespace DevInterp.Tests.Cluster;

/// <summary><c>devinterp slurm</c> on the command line: what a dry run writes and prints, and its one-line errors.</summary>
[Collection(GlobalTorchState.Name)]
public class SlurmCommandTests
{
    [Fact]
    public void ADryRunWritesReadableScriptsRecordsTheConfigAndPrintsTheSbatchCommands()
    {
        var (run, _) = DemoRunCopy.EveryNth("dln", 10);
        string config = DemoRunCopy.QuickConfig(run, "dln");
        string folder = Path.Combine(TestPaths.NewTempDir(), "dln");
        string launcher = Path.Combine(TestPaths.NewTempDir(), "devinterp");
        File.WriteAllText(launcher, "");

        var r = CliRunner.Run("slurm", "submit", run, "--out", folder, "--shards", "2", "--config", config, "--time", "30",
            "--mem", "2G", "--sbatch-arg=--qos=short", "--devinterp", launcher, "--dry-run", "--json");

        Assert.True(r.ExitCode == ExitCodes.Success, r.Err);
        var json = JsonNode.Parse(r.Out)!;
        Assert.True(json["dry_run"]!.GetValue<bool>());
        Assert.Null(json["shards_job"]);
        string shards = File.ReadAllText(json["shards_script"]!.GetValue<string>());
        Assert.Contains($"DEVINTERP=({launcher})", shards);
        Assert.Contains("#SBATCH --time=30\n", shards);
        Assert.Contains("#SBATCH --mem=2G\n", shards);
        Assert.Contains("#SBATCH --qos=short\n", shards);
        Assert.Contains($"#SBATCH --chdir={Directory.GetCurrentDirectory()}\n", shards);
        Assert.True(File.Exists(Path.Combine(folder, "analysis.json")));
        Assert.StartsWith("array=$(sbatch --parsable --array=0-1 ", json["commands"]![0]!.GetValue<string>());

        var text = CliRunner.Run("slurm", "submit", run, "--out", folder, "--shards", "2", "--config", config, "--devinterp", launcher, "--dry-run");
        Assert.Contains("dry run, nothing submitted; to submit:", text.Out);
    }

    [Fact]
    public void MistakesAreOneLineErrorsNamingTheOption()
    {
        var (run, _) = DemoRunCopy.EveryNth("dln", 10);
        string folder = Path.Combine(TestPaths.NewTempDir(), "dln");

        var tooMany = CliRunner.Run("slurm", "submit", run, "--out", folder, "--shards", "9", "--dry-run");
        Assert.Equal(ExitCodes.Usage, tooMany.ExitCode);
        Assert.Equal("error: --shards 9 must be between 1 and the run's 4 checkpoints", tooMany.Err.Trim());

        var badTime = CliRunner.Run("slurm", "submit", run, "--out", folder, "--shards", "2", "--time", "2h", "--dry-run");
        Assert.Equal(ExitCodes.Usage, badTime.ExitCode);
        Assert.Contains("--time '2h' must be", badTime.Err);

        var noLauncher = CliRunner.Run("slurm", "submit", run, "--out", folder, "--shards", "2", "--devinterp", "/nowhere/devinterp", "--dry-run");
        Assert.Equal(ExitCodes.Usage, noLauncher.ExitCode);
        Assert.Contains("--devinterp '/nowhere/devinterp': no such file", noLauncher.Err);

        var notSubmitted = CliRunner.Run("slurm", "status", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.BadInput, notSubmitted.ExitCode);
        Assert.Contains("was not submitted with 'devinterp slurm submit'", notSubmitted.Err);
        Assert.Single(notSubmitted.Err.Trim().Split('\n'));
    }
}
