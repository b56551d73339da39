using DevInterp.Tests.Storage;

namespace DevInterp.Tests;

/// <summary>
/// Entry point when the test assembly is run as a program (<c>dotnet exec DevInterp.Tests.dll NAME ARGS</c>): child
/// processes that tests start and kill. The test runner never calls it.
/// </summary>
internal static class Program
{
    public static int Main(string[] args) => args switch
    {
        ["store-crash-probe", var folder, var limit] => StoreCrashProbe.Run(folder, int.Parse(limit, System.Globalization.CultureInfo.InvariantCulture)),
        ["devinterp", .. var rest] => DevInterp.Cli.CliApp.Run(rest, new DevInterp.Cli.CliContext(Console.Out, Console.Error, interactive: false)),
        _ => 0,
    };
}
