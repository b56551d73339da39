using System.Diagnostics;
using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tests.Cli;
using Xunit.Abstractions;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// <c>devinterp analyze</c> killed with SIGKILL at ten points (inside the LLC pass, inside the consolidation of each
/// pass's tables, inside the report's writing), then rerun with the same command, gives the same final tables as one
/// uninterrupted run, with no temporary file left: a kill loses at most the unit in flight.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class AnalyzeKillResumeTests(ITestOutputHelper output)
{
    [Fact]
    public void KilledAtTenPointsThenRerunGivesTheTablesOfAnUninterruptedRun()
    {
        var all = RunManifest.Load(Path.Combine(TestPaths.RepoRoot, "checkpoints", "dln", RunManifest.FileName)).Checkpoints;
        long[] steps = all.Where((_, i) => i % 3 == 0).Select(c => c.Step).ToArray(); // 14 checkpoints across all plateaus
        string run = DemoRunCopy.Make("dln", steps);
        string config = Path.Combine(TestPaths.NewTempDir(), "analysis.json");
        var r = Run.Open(run);
        File.WriteAllText(config, AnalysisConfigBuilder.Create("kill", run, r,
            // Short chains: the kill points are exact writes, so the LLC pass need not be long for a kill to land inside it.
            llc: new LlcSettings(Chains: 4, Draws: 200, BurnIn: 100, StepsBetweenDraws: 2, StepSize: 1e-4, TargetRelativeError: null)).ToJson());
        string whole = Path.Combine(TestPaths.NewTempDir(), "whole"), killed = Path.Combine(TestPaths.NewTempDir(), "killed");

        var uninterrupted = CliRunner.Run("analyze", run, "--out", whole, "--config", config, "--quiet");
        Assert.True(uninterrupted.ExitCode == ExitCodes.Success, uninterrupted.Err);

        // Killed (SIGKILL) once at each of these points, in the order the analysis reaches them, each time resuming the
        // folder the last kill left: inside the LLC pass (a checkpoint's LLC part complete but not renamed; half of a later
        // one's trace part written), inside the consolidation of each pass's tables (half of a table in its temporary
        // file; a table complete but not renamed; one table replaced and the next not yet written) and inside the report's
        // writing. The child stops at its point for good and says so, so the kill lands exactly there whatever the load.
        string[] points =
        [
            $"parts/llc/{PartKey.ForStep(steps[4])}.arrow:written", $"parts/llc_traces/{PartKey.ForStep(steps[9])}.arrow:partial",
            "llc.arrow:partial", "llc.arrow:replaced", "llc_traces.arrow:written",
            "similarity.arrow:partial", "essential_dynamics.arrow:written", "stages.arrow:partial",
            "report.html:partial", "report.html:written",
        ];
        var seen = new List<int>();
        foreach (string point in points)
        {
            using var child = AnalysisLockTests.StartChild("analyze-pause-at", point, run, killed, config);
            string? line;
            while ((line = child.StandardOutput.ReadLine()) is not null && line != $"at {point}") { }
            // The message only on failure: building it waits for the child's exit, and a child at its point never exits
            // (built eagerly, it cost 60 s per kill point).
            if (line is null) Assert.Fail($"the analysis ended without reaching '{point}' (exit {(child.WaitForExit(60_000) ? child.ExitCode : -1)})");
            string file = point[..point.LastIndexOf(':')];
            string folder = Path.GetDirectoryName(Path.Combine(killed, file))!;
            var temps = Directory.EnumerateFiles(folder, "*.tmp").Select(Path.GetFileName).ToList();
            child.Kill(entireProcessTree: true); // SIGKILL
            child.WaitForExit();
            seen.Add(LlcParts(killed));
            output.WriteLine($"killed at '{point}' ({LlcParts(killed)} llc parts); temporary files there: {(temps.Count == 0 ? "none" : string.Join(", ", temps))}");
            if (!point.EndsWith(":replaced", StringComparison.Ordinal))
                Assert.Contains(temps, t => t!.StartsWith($".{Path.GetFileName(file)}~", StringComparison.Ordinal)); // killed inside that write
        }
        Assert.True(seen[1] < steps.Length, "every checkpoint was already done before the second kill");

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
        Assert.Equal(a.Read<DynamicsCoordinateRow>(), b.Read<DynamicsCoordinateRow>());
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
}
