using System.Globalization;
using DevInterp.Llc;
using DevInterp.Llc.Validation;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// The calibration grid of one validation case (full batch, default settings): every step size tried, with its
/// estimate, acceptance, diagnostics and why it passed or not. Usage: llc-calibration CASE [GAMMA] [SEED]
/// </summary>
public static class LlcCalibrationBench
{
    /// <summary>Runs the mode.</summary>
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var validationCase = LlcValidationSuite.Cases().Single(c => c.Name == args[1]);
        double gamma = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : new LlcOptions().Localization;
        long seed = args.Length > 3 ? long.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        using var problem = validationCase.Build(seed);
        using var potential = problem.FullBatchPotential();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = new LlcCalibrator(CalibrationOptions.For(new LlcOptions(Localization: gamma))).Calibrate(potential);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{validationCase.Name} (λ = {validationCase.TrueLambda:G4}), γ = {gamma}, {watch.Elapsed.TotalSeconds:F0} s"));
        foreach (var p in result.Grid)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ε·nβ {p.StepSize * p.NBeta,-9:G3} λ̂ {p.Mean,8:G4} ± {p.StandardError,-7:G2} acc {p.Acceptance,6:F3} R̂ {p.RHat:F3} drift {p.Drift,6:F3} Var/mean {p.Dispersion,5:F2} spike {p.SpikeRatio,5:F2} " +
                $"{(p.Passing ? "pass" : "FAIL")} {(p.Stable ? "agree" : "     ")}{(p.StepSize == result.Chosen ? " ◀" : "")} {string.Join("; ", p.Reasons)}"));
        }
        Console.WriteLine($"  chosen ε·nβ = {result.Chosen * result.Grid[0].NBeta:G3}: {result.Reason}");
        return 0;
    }
}

/// <summary>
/// One validation case estimated with default options, with the wall and CPU time of each phase (calibration, each
/// sampling run) from the progress reports; optionally more chains, another seed (of data and sampling) or a batch size
/// (minibatch mode over the case's data). Usage: llc-estimate CASE [CHAINS] [DATA-SEED] [SAMPLING-SEED] [BATCH-SIZE]
/// (defaults: 8 chains, data seed 1 and sampling seed 0, as <c>devinterp validate llc</c>)
/// </summary>
public static class LlcEstimateBench
{
    /// <summary>Runs the mode.</summary>
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var validationCase = LlcValidationSuite.Cases().Single(c => c.Name == args[1]);
        int chains = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : new LlcOptions().Chains;
        long seed = args.Length > 3 ? long.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        long samplingSeed = args.Length > 4 ? long.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        int? batch = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : null;
        var clock = CpuClock.Start();
        string phase = "";
        long lastStep = 0, steps = 0;
        var progress = new SyncProgress(p =>
        {
            if (p.Phase != phase || p.Step < lastStep)
            {
                var (w, c) = clock.Elapsed();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {phase} ended at step {lastStep}: {w.TotalSeconds:F1} s wall, {c.TotalSeconds:F1} s CPU so far"));
                phase = p.Phase;
            }
            if (p.Step < lastStep) steps += lastStep;
            lastStep = p.Step;
        });
        var outcome = LlcValidationSuite.Run(validationCase, new LlcOptions(Chains: chains, BatchSize: batch, Seed: samplingSeed), seed, progress);
        var result = outcome.Result;
        var (wall, cpu) = clock.Elapsed();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{validationCase.Name} (data seed {seed}, sampling seed {samplingSeed}, {chains} chains, batch {result.BatchSize}, target {outcome.Target?.Value:G5}): λ̂ {result.Mean:G5} ± {result.Std:G3} (vs target {outcome.TargetRelativeError:P1}, SE {ChainDiagnosticsSe(result):G3}, ESS {result.Diagnostics.BulkEss:F0}), ε·nβ {result.StepSize * result.NBeta:G3}, acceptance {result.Diagnostics.Acceptance:F3}, draws {result.LossTraces[0].Length} (+{result.DiscardedDraws} discarded), {steps + lastStep} steps, {wall.TotalSeconds:F1} s wall, {cpu.TotalSeconds:F1} s CPU; {result.Diagnostics.Summary}"));
        Console.WriteLine("  per chain: " + string.Join(" ", result.PerChain.Select((v, c) => string.Create(CultureInfo.InvariantCulture,
            $"{v:G4} (max draw {result.LambdaTraces[c].Max():G3})"))));
        return 0;
    }

    private static double ChainDiagnosticsSe(LlcResult r) => DevInterp.Llc.Diagnostics.ChainDiagnostics.MeanStandardError(r.LambdaTraces);

    private sealed class SyncProgress(Action<LlcProgress> report) : IProgress<LlcProgress>
    {
        public void Report(LlcProgress value) => report(value);
    }
}
