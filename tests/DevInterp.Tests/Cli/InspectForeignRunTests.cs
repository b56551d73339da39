using System.Text.Json;
using DevInterp.Cli;

namespace DevInterp.Tests.Cli;

/// <summary><c>devinterp inspect</c> on run folders laid out as other people's training code leaves them (Fixtures/runs).</summary>
public class InspectForeignRunTests
{
    private static string Fixture(string name) => TestPaths.Fixture("runs/" + name);

    [Fact]
    public void GrokkingFolderListsItsCheckpointsWithTheirMetricsAndSizes()
    {
        var r = CliRunner.Run("inspect", Fixture("grokking"), "--json");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("epoch", root.GetProperty("unit").GetString());
        Assert.Equal(".", root.GetProperty("checkpoint_dir").GetString());
        var checkpoints = root.GetProperty("checkpoints").EnumerateArray().ToList();
        Assert.Equal(new[] { "0.pth", "200.pth", "400.pth", "final.pth" }, checkpoints.Select(c => c.GetProperty("file").GetString()));
        Assert.Equal(1991, checkpoints[1].GetProperty("size_bytes").GetInt64());
        var metrics = checkpoints[1].GetProperty("metrics");
        Assert.Equal(0.3583574891090393, metrics.GetProperty("train_loss").GetDouble());
        Assert.Equal(0.6000000238418579, metrics.GetProperty("test_acc").GetDouble());
        Assert.Equal(0.23000971972942352, checkpoints[3].GetProperty("metrics").GetProperty("train_loss").GetDouble());
        Assert.Contains(root.GetProperty("notes").EnumerateArray(), n => n.GetString()!.StartsWith("final.pth placed at epoch 600", StringComparison.Ordinal));
    }

    [Fact]
    public void TextOutputShowsMetricsSkippedEntriesAndNotes()
    {
        var r = CliRunner.Run("inspect", Fixture("tanh_mlp"));

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Contains("checkpoints/epoch_1.pt", r.Out);
        Assert.DoesNotContain("best.pt:", r.Out); // a state dict's biases are not metric lists
        Assert.Contains("train_loss=1.26", r.Out);
        Assert.Contains("optimizer state, not model weights", r.Out);
        Assert.Contains("note: checkpoints found in checkpoints/", r.Out);
    }

    [Fact]
    public void TrainerOutputDirWithItsFinalModelOnTopIsARunNotOneCheckpoint()
    {
        var r = CliRunner.Run("inspect", Fixture("hf_trainer"), "--json");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("run", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(new long[] { 4, 8 }, doc.RootElement.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("step").GetInt64()));
        Assert.Equal(0.3663, doc.RootElement.GetProperty("checkpoints")[0].GetProperty("metrics").GetProperty("train_loss").GetDouble());
    }

    [Fact]
    public void LightningRunSaysWhichKeyDropsTheModulePrefix()
    {
        var r = CliRunner.Run("inspect", Fixture("lightning"), "--json");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Contains(doc.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("pass --key state_dict.model", StringComparison.Ordinal));
        Assert.Equal("lightning_logs/version_0/checkpoints", doc.RootElement.GetProperty("checkpoint_dir").GetString());
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("file")]
    public void ErrorsUnderJsonAreJson(string kind)
    {
        string dir = TestPaths.NewTempDir();
        string target = kind == "empty" ? dir : Path.Combine(dir, "garbage.pt");
        if (kind == "file") File.WriteAllText(target, "hello, not a checkpoint");

        var r = CliRunner.Run("inspect", target, "--json");

        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal(target, error.GetProperty("path").GetString());
        Assert.Equal(ExitCodes.BadInput, error.GetProperty("exit_code").GetInt32());
        Assert.StartsWith(target, error.GetProperty("message").GetString());
        Assert.StartsWith("error: ", r.Err); // the one line on standard error stays
    }

    [Fact]
    public void UsageErrorsUnderJsonAreJson()
    {
        var r = CliRunner.Run("inspect", "--json");

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(ExitCodes.Usage, doc.RootElement.GetProperty("error").GetProperty("exit_code").GetInt32());
    }
}
