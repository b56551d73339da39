using System.Globalization;
using DevInterp.Llc;
using DevInterp.Llc.Diagnostics;
using DevInterp.Llc.Validation;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// Reference chains for a validation case (docs/llc.md, "Reference chains"): 8 MALA chains of the case's full-batch
/// potential (the suite's data set, seed 1 unless given) at a fixed step size, a long burn-in, then draws every THIN
/// steps. Prints nβ·E[L_n − L_n(w*)] over the draws with its Monte Carlo standard error, R̂, the acceptance and the
/// means of the tenths of the run (equilibrium: the tenths agree).
/// Usage: llc-reference CASE EPS·nβ DRAWS [THIN] [BURN-IN] [GAMMA] [SEED] [STEP-SIZE-RANGE]
/// </summary>
public static class LlcReferenceBench
{
    /// <summary>Runs the mode.</summary>
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var validationCase = LlcValidationSuite.Cases().Single(c => c.Name == args[1]);
        double epsNBeta = double.Parse(args[2], CultureInfo.InvariantCulture);
        int draws = int.Parse(args[3], CultureInfo.InvariantCulture);
        int thin = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 10;
        int burnIn = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 50_000;
        double gamma = args.Length > 6 ? double.Parse(args[6], CultureInfo.InvariantCulture) : new LlcOptions().Localization;
        long seed = args.Length > 7 ? long.Parse(args[7], CultureInfo.InvariantCulture) : 1;
        double range = args.Length > 8 ? double.Parse(args[8], CultureInfo.InvariantCulture) : 1;
        using var problem = validationCase.Build(seed);
        using var potential = problem.FullBatchPotential();
        double nBeta = LlcOptions.DefaultNBeta(potential.SampleCount);
        var options = new LlcOptions(Chains: 8, Draws: draws, BurnIn: burnIn, StepsBetweenDraws: thin, StepSize: epsNBeta / nBeta,
            Localization: gamma, TargetRelativeError: null, MaxDraws: draws, Seed: 1000 + seed, StepSizeRange: range);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = new LlcEstimator(options).Estimate(potential);
        var traces = result.LambdaTraces;
        var tenths = Enumerable.Range(0, 10).Select(b => traces.Average(t => t.Skip(b * draws / 10).Take(draws / 10).Average())).ToArray();
        double se = ChainDiagnostics.MeanStandardError(traces);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{validationCase.Name} (λ = {validationCase.TrueLambda:G6}), seed {seed}, nβ = {nBeta:R}, γ = {gamma}, ε·nβ = {epsNBeta} (range {range}), 8 chains × ({burnIn} + {draws} × {thin}) steps"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  target {result.Mean:F4} ± {se:F4} ({(result.Mean - validationCase.TrueLambda) / validationCase.TrueLambda:P2} from λ), R̂ {result.Diagnostics.RHat:F4}, " +
            $"bulk ESS {result.Diagnostics.BulkEss:F0}, acceptance {result.Diagnostics.Acceptance:F3}, Var/mean {result.Diagnostics.Dispersion:F3}, {watch.Elapsed.TotalSeconds:F0} s"));
        Console.WriteLine($"  tenths {string.Join(" ", tenths.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}");
        return 0;
    }
}

/// <summary>
/// Chain-steps and effective samples per second of λ̂'s draws for MALA (full batch, its calibrated step size) and SGLD
/// (Leimkuhler–Matthews, the step size its calibration chose) on validation cases, single thread: each sampler runs
/// 8 chains for a burn-in from w*, then DRAWS draws; ESS is the bulk ESS of the draws nβ(L − L*).
/// Usage: llc-ess-rate CASE MALA-EPS·nβ SGLD-EPS·nβ [DRAWS] [BURN-IN]
/// </summary>
public static class LlcEssRateBench
{
    /// <summary>Runs the mode.</summary>
    public static int Run(string[] args)
    {
        torch.set_num_threads(1);
        var validationCase = LlcValidationSuite.Cases().Single(c => c.Name == args[1]);
        int draws = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 20_000;
        int burnIn = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 20_000;
        using var problem = validationCase.Build(1);
        using var potential = problem.FullBatchPotential();
        double nBeta = LlcOptions.DefaultNBeta(potential.SampleCount);
        Console.WriteLine($"# llc-ess-rate {validationCase.Name}: 8 chains, {burnIn} burn-in + {draws} draws, load average {CpuClock.LoadAverage()}");
        Console.WriteLine("case, sampler, eps_nbeta, estimate, acceptance, chain_steps_per_s, chain_steps_per_cpu_s, bulk_ess, ess_per_s, ess_per_cpu_s, var_over_mean");
        foreach (var (kind, eps) in new[] { (SamplerKind.Mala, args[2]), (SamplerKind.Sgld, args[3]) })
        {
            double e = double.Parse(eps, CultureInfo.InvariantCulture);
            var options = new LlcOptions(Chains: 8, Draws: draws, BurnIn: burnIn, StepSize: e / nBeta, TargetRelativeError: null,
                MaxDraws: draws, Sampler: kind, Seed: 5);
            var clock = CpuClock.Start();
            var r = new LlcEstimator(options).Estimate(potential);
            var (wall, cpu) = clock.Elapsed();
            double steps = 8.0 * (burnIn + draws);
            double ess = r.Diagnostics.BulkEss;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{validationCase.Name}, {kind}, {e}, {r.Mean:F3}, {r.Diagnostics.Acceptance:F3}, {steps / wall.TotalSeconds:F0}, {steps / cpu.TotalSeconds:F0}, {ess:F0}, " +
                $"{ess / wall.TotalSeconds * (draws + burnIn) / draws:F1}, {ess / cpu.TotalSeconds * (draws + burnIn) / draws:F1}, {r.Diagnostics.Dispersion:F2}"));
        }
        Console.WriteLine($"# load average at the end {CpuClock.LoadAverage()}");
        return 0;
    }
}
