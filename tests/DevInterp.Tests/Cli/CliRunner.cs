using DevInterp.Cli;

namespace DevInterp.Tests.Cli;

/// <summary>Runs the devinterp command line in-process and captures its output.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Result Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, new CliContext(stdout, stderr, interactive: false));
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
