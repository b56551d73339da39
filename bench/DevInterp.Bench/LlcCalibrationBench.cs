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
