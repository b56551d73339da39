using DevInterp.Analysis;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// A child process for the kill-and-resume test (<c>dotnet exec DevInterp.Tests.dll analyze-pause-at POINT RUN OUT
/// CONFIG</c>): runs the analysis pipeline as <c>devinterp analyze RUN --out OUT --config CONFIG</c> does and stops
/// for good at POINT, printing <c>at POINT</c>, so the test kills it exactly there. POINT is a write inside the
/// analysis folder, <c>PATH:STEP</c> with PATH relative to the folder (<c>llc.arrow:partial</c>: half of the
/// consolidated LLC table's first write is in its temporary file; <c>report.html:written</c>: the report's temporary
/// file is complete, not yet renamed; see <see cref="AtomicWriteStep"/>), or the start of an activity the pipeline
/// reports ("llc: consolidating").
/// Prints <c>finished</c> when the point never came.
/// </summary>
internal static class PausingAnalyze
{
    public static int Run(string point, string[] args)
    {
        if (args is not [var runPath, var folder, var configFile]) return 64;
        var run = DevInterp.Runs.Run.Open(runPath);
        var given = AnalysisConfig.Load(configFile);
        var config = given with { Name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')), Run = RunSource.Of(run, runPath, given.Run.Key) };
        var progress = new Reporter(p =>
        {
            if (p.Activity.StartsWith(point, StringComparison.Ordinal)) StopHere(point);
        });
        string full = Path.GetFullPath(folder);
        using var writes = AtomicWriteSteps.Observe((target, step) =>
        {
            if (point == $"{Path.GetRelativePath(full, target)}:{step.ToString().ToLowerInvariant()}") StopHere(point);
        });
        AnalysisPipeline.Run(config, run, folder, new AnalyzeOptions(), progress);
        Console.Out.WriteLine("finished");
        return 0;
    }

    /// <summary>
    /// <c>dotnet exec DevInterp.Tests.dll devinterp-paused POINT ARGS</c>: runs <c>devinterp ARGS</c> (the real command
    /// line, with its lock) and, at the write POINT inside the <c>--out</c> folder (as above), prints <c>at POINT</c>
    /// and waits for a line on standard input before it carries on, so a test can act while it holds the folder.
    /// </summary>
    public static int RunCli(string point, string[] args)
    {
        int at = Array.IndexOf(args, "--out");
        if (at < 0 || at + 1 >= args.Length) return 64;
        string full = Path.GetFullPath(args[at + 1]);
        using var writes = AtomicWriteSteps.Observe((target, step) =>
        {
            if (point != $"{Path.GetRelativePath(full, target)}:{step.ToString().ToLowerInvariant()}") return;
            Console.Out.WriteLine($"at {point}");
            Console.Out.Flush();
            Console.In.ReadLine();
        });
        int code = DevInterp.Cli.CliApp.Run(args, new DevInterp.Cli.CliContext(Console.Out, Console.Error, interactive: false));
        Console.Out.WriteLine("finished");
        return code;
    }

    // Says where it is and waits to be killed (SIGKILL: nothing after this line runs).
    private static void StopHere(string point)
    {
        Console.Out.WriteLine($"at {point}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }

    private sealed class Reporter(Action<AnalysisProgress> report) : IProgress<AnalysisProgress>
    {
        public void Report(AnalysisProgress value) => report(value);
    }
}
