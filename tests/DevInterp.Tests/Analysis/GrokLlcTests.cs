using System.Text.Json;
using DevInterp.Cli;
using DevInterp.Storage;
using DevInterp.Tests.Cli;
using Xunit.Abstractions;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// The LLC over the shipped grokking run with default settings (the run-level setting chosen from probe checkpoints):
/// the published picture (Power et al.; the devinterp library's grokking example) — λ̂ positive and rising through
/// memorisation, a single peak (the checkpoints within two standard errors of the largest λ̂) within one checkpoint
/// interval of the end of memorisation (train accuracy &gt; 0.95, docs/demo-runs.md), and falling while the test accuracy rises. Every third checkpoint, so the test stays in minutes.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class GrokLlcTests(ITestOutputHelper output)
{
    [Fact]
    public void TheDefaultLlcRisesToOnePeakAtTheEndOfMemorisationThenFallsAsTheTestAccuracyRises()
    {
        var (run, steps) = DemoRunCopy.EveryNth("grok", 3);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "grok-llc");

        // In its own process, as a user runs it: the CLI sets torch's OpenMP policy before torch loads (in the test host
        // torch is loaded already, and spinning OpenMP threads slow the chains many times over while other tests run).
        var (code, err) = RunChild("llc", run, "--out", outDir, "--quiet", "--max-minutes", "1");

        Assert.True(code == ExitCodes.Success, err);
        var store = AnalysisStore.Open(outDir);
        var llc = store.Read<LlcRow>().OrderBy(x => x.Step).ToList();
        var metrics = store.Read<CheckpointRow>().ToDictionary(c => c.Step, c => c.Metrics);
        var setting = Assert.Single(store.Read<LlcSettingRow>());
        output.WriteLine($"setting: {setting.Source}, ε {setting.StepSize:G3}, γ {setting.Localization:G3}: {setting.Reason}");
        foreach (var x in llc)
            output.WriteLine($"{x.Step}: λ̂ {x.Mean:G4} ± {x.Std:G3} {x.Verdict} {x.Reading} train_acc {metrics[x.Step]["train_accuracy"]:F3} test_acc {metrics[x.Step]["test_accuracy"]:F3}");
        Assert.Equal(steps, llc.Select(x => x.Step).ToArray());
        Assert.Equal("run", setting.Source);

        var mean = llc.Select(x => x.Mean).ToArray();
        double Se(int i) => llc[i].Std / Math.Sqrt(llc[i].Chains - llc[i].DroppedChains);
        int peak = Array.IndexOf(mean, mean.Max());
        // The top of the peak: the checkpoints within two standard errors of the largest λ̂ (which of them holds the
        // largest value is Monte Carlo noise; on the full run 166–203 are within 0.3 of each other at 17).
        var top = Enumerable.Range(0, mean.Length).Where(i => mean[peak] - mean[i] <= 2 * (Se(i) + Se(peak))).ToList();
        int first = top.Min(), last = top.Max();
        int memorised = llc.FindIndex(x => metrics[x.Step]["train_accuracy"] > 0.95);
        Assert.Contains(top, i => Math.Abs(i - memorised) <= 1);
        // Rising through memorisation: positive, and each checkpoint above the one before, up to the top.
        for (int i = 1; i <= first; i++)
        {
            Assert.True(mean[i] > 0, $"λ̂ at step {llc[i].Step} is {mean[i]}");
            Assert.True(mean[i] > mean[i - 1], $"λ̂ falls from {mean[i - 1]:G4} to {mean[i]:G4} at step {llc[i].Step}, before the peak");
        }
        // Falling while the test accuracy rises (from its first rise above chance to > 0.9): every checkpoint below the one before.
        int rising = llc.FindIndex(x => x.Step > llc[last].Step && metrics[x.Step]["test_accuracy"] > 1.0 / 29);
        int generalised = llc.FindIndex(x => metrics[x.Step]["test_accuracy"] > 0.9);
        Assert.True(rising > last && generalised > rising, $"test accuracy rises from index {rising}, generalised at {generalised}");
        for (int i = last + 1; i <= generalised; i++)
            Assert.True(mean[i] < mean[i - 1], $"λ̂ rises from {mean[i - 1]:G4} to {mean[i]:G4} at step {llc[i].Step}, after the peak");
        // A single peak: after it, no checkpoint rises above the one before by more than two standard errors.
        for (int i = last + 1; i < mean.Length; i++)
            Assert.True(mean[i] < mean[i - 1] + 2 * (Se(i) + Se(i - 1)), $"λ̂ rises again at step {llc[i].Step}: {mean[i - 1]:G4} → {mean[i]:G4}");
        // Every estimate trusted: pCNL's chains mix in a few steps at the run's setting.
        Assert.All(llc, x => Assert.Equal(DevInterp.Llc.LlcVerdict.Trusted, x.Verdict));
        // Memorisation's checkpoints are not minima (the loss still falls); the settled ones are.
        Assert.Equal(DevInterp.Llc.LlcReading.Localized, llc[1].Reading);
        Assert.Equal(DevInterp.Llc.LlcReading.LocalMinimum, llc[^1].Reading);
        // Every row says what its value means, and ‖∇L(w*)‖ falls by orders of magnitude from memorisation to the end.
        Assert.All(llc, x => Assert.NotNull(x.Reading));
        Assert.True(llc[^1].GradientNorm < 0.01 * llc[peak].GradientNorm, $"‖∇L(w*)‖ {llc[peak].GradientNorm:G3} at the peak, {llc[^1].GradientNorm:G3} at the end");
    }

    private static (int Code, string Err) RunChild(params string[] args)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new System.Diagnostics.ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(GrokLlcTests).Assembly.Location);
        info.ArgumentList.Add("devinterp");
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["OMP_NUM_THREADS"] = "1";
        using var child = System.Diagnostics.Process.Start(info)!;
        var err = child.StandardError.ReadToEndAsync();
        child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return (child.ExitCode, err.Result);
    }
}
