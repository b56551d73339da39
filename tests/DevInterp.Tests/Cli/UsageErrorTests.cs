using DevInterp.Cli;

namespace DevInterp.Tests.Cli;

/// <summary>Usage errors are one line on standard error, naming the option or argument, with exit code 1.</summary>
public class UsageErrorTests
{
    [Theory]
    [InlineData(new[] { "analyze", "checkpoints/dln" }, "Option '--out' is required", "devinterp analyze --help")]
    [InlineData(new[] { "inspect", "checkpoints/dln", "--bogus" }, "'--bogus'", "devinterp inspect --help")]
    [InlineData(new[] { "llc", "calibrate", "checkpoints/dln", "--bogus" }, "'--bogus'", "devinterp llc calibrate --help")]
    public void AUsageErrorIsOneLineNamingTheOption(string[] args, string names, string pointer)
    {
        var r = CliRunner.Run(args);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(names, line);
        Assert.Contains(pointer, line);
        Assert.DoesNotContain("Description:", r.Out + r.Err); // not the whole help
    }
}
