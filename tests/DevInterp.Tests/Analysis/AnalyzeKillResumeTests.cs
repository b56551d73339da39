using System.Diagnostics;
using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tests.Cli;
using Xunit.Abstractions;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// <c>devinterp analyze</c> killed with SIGKILL mid-run, twice, then rerun with the same command, gives the same final
/// tables as one uninterrupted run: a kill loses at most the checkpoint in flight.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class AnalyzeKillResumeTests(ITestOutputHelper output)
{
    [Fact]
    public void KilledTwiceThenRerunGivesTheTablesOfAnUninterruptedRun()
    {
        var all = RunManifest.Load(Path.Combine(TestPaths.RepoRoot, "checkpoints", "dln", RunManifest.FileName)).Checkpoints;
        long[] steps = all.Where((_, i) => i % 3 == 0).Select(c => c.Step).ToArray(); // 14 checkpoints across all plateaus
        string run = DemoRunCopy.Make("dln", steps);
        string config = Path.Combine(TestPaths.NewTempDir(), "analysis.json");
        var r = Run.Open(run);
        File.WriteAllText(config, AnalysisConfigBuilder.Create("kill", run, r,
            llc: new LlcSettings(Chains: 4, Draws: 1000, BurnIn: 200, StepsBetweenDraws: 12, StepSize: 1e-4, TargetRelativeError: null)).ToJson());
        string whole = Path.Combine(TestPaths.NewTempDir(), "whole"), killed = Path.Combine(TestPaths.NewTempDir(), "killed");

        var uninterrupted = CliRunner.Run("analyze", run, "--out", whole, "--config", config, "--quiet");
        Assert.True(uninterrupted.ExitCode == ExitCodes.Success, uninterrupted.Err);

        var seen = new List<int>();
        for (int kill = 0; kill < 2; kill++)
        {
            int before = LlcParts(killed);
            using var child = StartAnalyze(run, killed, config);
            var watch = Stopwatch.StartNew();
            // Kill once one more checkpoint has finished (the next one is then in flight).
            while (LlcParts(killed) < before + 1 && !child.HasExited && watch.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
            Assert.False(child.HasExited, $"kill {kill + 1}: the analysis finished before it could be killed ({before} then {LlcParts(killed)} llc parts, exit {(child.HasExited ? child.ExitCode : 0)})");
            output.WriteLine($"kill {kill + 1}: pid {child.Id} at {LlcParts(killed)} llc parts after {watch.Elapsed.TotalSeconds:F1} s");
            child.Kill(entireProcessTree: true); // SIGKILL
            child.WaitForExit();
            seen.Add(LlcParts(killed));
        }
        Assert.True(seen[^1] < steps.Length, "every checkpoint was already done before the last kill");

        // Then once in each whole-run step: consolidating each pass's tables, and writing the report. The child says when
        // it begins one; it is killed a few milliseconds later (varied, so the kill lands at different points within).
        var delays = new Random(14);
        foreach (string point in new[] { "llc: consolidating", "similarity: consolidating", "dynamics: consolidating", "report: writing" })
        {
            using var child = AnalysisLockTests.StartChild("analyze-pause-at", point, run, killed, config);
            string? line;
            while ((line = child.StandardOutput.ReadLine()) is not null && line != $"at {point}") { }
            Assert.True(line is not null, $"the analysis ended without reaching '{point}' (exit {(child.WaitForExit(60_000) ? child.ExitCode : -1)})");
            Thread.Sleep(delays.Next(0, 40));
            bool finished = child.HasExited;
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            output.WriteLine($"killed during '{point}'{(finished ? " (it had already finished)" : "")}");
        }

        var resumed = CliRunner.Run("analyze", run, "--out", killed, "--config", config, "--quiet", "--json");
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Err);
        Assert.Contains($"\"already_done\": [", resumed.Out);
        output.WriteLine($"llc parts after each kill: {string.Join(", ", seen)} of {steps.Length}");

        var a = AnalysisStore.Open(whole);
        var b = AnalysisStore.Open(killed);
        Assert.Equal(Llc(a), Llc(b));
        Assert.Equal(a.Read<LlcTraceRow>().OrderBy(t => (t.Step, t.Chain, t.Draw)).ToList(), b.Read<LlcTraceRow>().OrderBy(t => (t.Step, t.Chain, t.Draw)).ToList());
        Assert.Equal(a.Read<SimilarityRow>().OrderBy(x => (x.Layer, x.Measure, x.StepA, x.StepB)).ToList(),
            b.Read<SimilarityRow>().OrderBy(x => (x.Layer, x.Measure, x.StepA, x.StepB)).ToList());
        Assert.Equal(a.Read<StageSummaryRow>().Select(Stage).ToList(), b.Read<StageSummaryRow>().Select(Stage).ToList());
        Assert.True(File.Exists(Path.Combine(killed, "report.html")));
        var leftovers = Directory.EnumerateFiles(killed, "*.tmp", SearchOption.AllDirectories).ToList();
        Assert.True(leftovers.Count == 0, $"temporary files left: {string.Join(", ", leftovers)}");
    }

    // Everything but the wall-clock time.
    private static List<string> Llc(AnalysisStore store) => store.Read<LlcRow>().OrderBy(x => x.Step)
        .Select(x => (x with { ElapsedSeconds = 0 }).ToString() + string.Join(",", x.ChainEstimates.Select(v => v.ToString("R")))).ToList();

    private static string Stage(StageSummaryRow s) => $"{s.Stage} {s.StartStep} {s.EndStep} {s.LlcTrend} {s.LlcChange:R} {s.LossChange:R} {string.Join("+", s.Signals)} {s.Confidence:R}";

    private static int LlcParts(string folder)
    {
        string parts = Path.Combine(folder, "parts", "llc");
        return Directory.Exists(parts) ? Directory.EnumerateFiles(parts, "*.arrow").Count() : 0;
    }

    private static Process StartAnalyze(string run, string outDir, string config)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        foreach (string arg in new[] { "exec", typeof(AnalyzeKillResumeTests).Assembly.Location, "devinterp", "analyze", run, "--out", outDir, "--config", config, "--quiet" })
            info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start devinterp analyze");
    }
}
