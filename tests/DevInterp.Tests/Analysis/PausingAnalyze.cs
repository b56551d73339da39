using DevInterp.Analysis;
using DevInterp.Runs;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// A child process for the kill-and-resume test (<c>dotnet exec DevInterp.Tests.dll analyze-pause-at ACTIVITY RUN OUT
/// CONFIG</c>): runs the analysis pipeline as <c>devinterp analyze RUN --out OUT --config CONFIG</c> does, and prints
/// <c>at ACTIVITY</c> the moment the pipeline reports an activity starting with ACTIVITY ("llc: consolidating tables",
/// "report: writing"), then carries on, so the test can kill it while it does that.
/// </summary>
internal static class PausingAnalyze
{
    public static int Run(string activity, string[] args)
    {
        if (args is not [var runPath, var folder, var configFile]) return 64;
        var run = DevInterp.Runs.Run.Open(runPath);
        var given = AnalysisConfig.Load(configFile);
        var config = given with { Name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/')), Run = RunSource.Of(run, runPath, given.Run.Key) };
        bool said = false;
        var progress = new Reporter(p =>
        {
            if (said || !p.Activity.StartsWith(activity, StringComparison.Ordinal)) return;
            said = true;
            Console.Out.WriteLine($"at {activity}");
            Console.Out.Flush();
        });
        AnalysisPipeline.Run(config, run, folder, new AnalyzeOptions(), progress);
        Console.Out.WriteLine("finished");
        return 0;
    }

    private sealed class Reporter(Action<AnalysisProgress> report) : IProgress<AnalysisProgress>
    {
        public void Report(AnalysisProgress value) => report(value);
    }
}
