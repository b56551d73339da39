using DevInterp.Cli;
using DevInterp.Runs;

namespace DevInterp.Tests.Cli;

[Collection(GlobalTorchState.Name)]
public class TrainCommandTests
{
    [Fact]
    public void PresetRunWritesAReplayableRunAndIsDeterministic()
    {
        string a = Path.Combine(TestPaths.NewTempDir(), "run"), b = Path.Combine(TestPaths.NewTempDir(), "run");

        var first = CliRunner.Run("train", a, "--preset", "tms", "--steps", "60", "--checkpoints", "6", "--quiet");
        var second = CliRunner.Run("train", b, "--preset", "tms", "--steps", "60", "--checkpoints", "6", "--quiet");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("checkpoints (steps 0..60)", first.Out);
        var run = Run.Open(a);
        Assert.Equal(0, run.Checkpoints[0].Step);
        Assert.Equal(60, run.Checkpoints[^1].Step);
        Assert.True(run.Checkpoints.Count >= 5, $"{run.Checkpoints.Count} checkpoints");
        // Same seed, same command: byte-identical checkpoint files.
        foreach (var c in run.Checkpoints)
        {
            string name = Path.GetFileName(c.Path);
            Assert.Equal(File.ReadAllBytes(c.Path), File.ReadAllBytes(Path.Combine(b, name)));
        }
    }

    [Fact]
    public void TrainingIntoAnExistingRunIsRefusedWithoutOverwrite()
    {
        string dir = Path.Combine(TestPaths.NewTempDir(), "run");
        Assert.Equal(ExitCodes.Success, CliRunner.Run("train", dir, "--preset", "tms", "--steps", "10", "--checkpoints", "2", "--quiet").ExitCode);

        var again = CliRunner.Run("train", dir, "--preset", "tms", "--steps", "10", "--checkpoints", "2", "--quiet");

        Assert.Equal(ExitCodes.BadInput, again.ExitCode);
        Assert.Contains("already holds a run", again.Err);
        Assert.Single(again.Err.Trim().Split('\n'));
        Assert.Equal(ExitCodes.Success, CliRunner.Run("train", dir, "--preset", "tms", "--steps", "10", "--checkpoints", "2", "--quiet", "--overwrite").ExitCode);
    }

    [Theory]
    [InlineData("--preset", "nope", "--preset 'nope' is not one of")]
    [InlineData("--steps", "5", "give exactly one of --preset or --config")]
    public void UsageErrorsNameTheOption(string option, string value, string message)
    {
        var r = CliRunner.Run("train", Path.Combine(TestPaths.NewTempDir(), "run"), option, value);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains(message, r.Err);
    }
}
