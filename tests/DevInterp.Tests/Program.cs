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
        ["hold-lock", var folder] => HoldLock(folder),
        ["analyze-pause-at", var point, .. var rest] => DevInterp.Tests.Analysis.PausingAnalyze.Run(point, rest),
        ["devinterp-paused", var point, .. var rest] => DevInterp.Tests.Analysis.PausingAnalyze.RunCli(point, rest),
        ["memory-trend", var batch, var sampler] => DevInterp.Tests.Llc.EstimatorMemoryTests.Child(batch, sampler),
        _ => 0,
    };

    // Holds an analysis folder's writer lock until killed (the test kills it with SIGKILL).
    private static int HoldLock(string folder)
    {
        using var writer = DevInterp.Analysis.AnalysisLock.Acquire(folder);
        Console.Out.WriteLine("locked");
        Console.Out.Flush();
        Thread.Sleep(TimeSpan.FromMinutes(5));
        return 0;
    }
}
