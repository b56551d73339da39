using System.Globalization;
using DevInterp.Llc.Potentials;

namespace DevInterp.Llc;

/// <summary>
/// Chooses the SGLD step size: sweeps ε upwards on a grid (stopping at the first divergence) and picks the largest ε
/// whose chains pass the diagnostics and whose estimate is stable, i.e. within its chain spread of the passing
/// estimates at smaller ε in the same plateau. Too small an ε leaves the chains still climbing away from w* (drift);
/// too large an ε biases the estimate upwards or diverges; the plateau between the two is the answer.
/// </summary>
public sealed class LlcCalibrator(CalibrationOptions options)
{
    /// <summary>The options.</summary>
    public CalibrationOptions Options { get; } = options;

    /// <summary>Runs the sweep on a potential.</summary>
    public CalibrationResult Calibrate(IChainPotential potential, IProgress<LlcProgress>? progress = null, CancellationToken cancel = default)
    {
        double baseNBeta = Options.Base.NBeta ?? LlcOptions.DefaultNBeta(potential.SampleCount);
        var nBetas = new[] { baseNBeta }.Concat(Options.NBetas ?? []).Distinct().ToList();
        var gammas = new[] { Options.Base.Localization }.Concat(Options.Localizations ?? []).Distinct().ToList();
        var grid = new List<CalibrationPoint>();
        CalibrationResult? chosen = null;
        foreach (double nBeta in nBetas)
        {
            foreach (double gamma in gammas)
            {
                var sweep = Sweep(potential, nBeta, gamma, progress, cancel);
                grid.AddRange(sweep);
                if (nBeta == baseNBeta && gamma == Options.Base.Localization) chosen = Choose(sweep);
            }
        }
        return chosen! with { Grid = grid };
    }

    private List<CalibrationPoint> Sweep(IChainPotential potential, double nBeta, double gamma,
        IProgress<LlcProgress>? progress, CancellationToken cancel)
    {
        var points = new List<(CalibrationPoint Point, bool Passing)>();
        var steps = Options.GridFor(nBeta);
        foreach (double eps in steps.Order())
        {
            var o = Options.Base with
            {
                StepSize = eps, NBeta = nBeta, Localization = gamma, Chains = Options.Chains, Draws = Options.Draws,
                BurnIn = Options.BurnIn, StepsBetweenDraws = 1,
            };
            var r = LlcEstimator.Run(potential, o, "calibration", progress, cancel, "calibrating");
            bool diverged = r.Diagnostics.Dropped.Count > 0 || !double.IsFinite(r.Mean);
            bool passing = !diverged && r.Diagnostics.Verdict != LlcVerdict.Untrusted &&
                           Math.Abs(r.Diagnostics.Drift) <= LlcDiagnostics.DriftDoubtful;
            bool stable = passing && IsStable(points, r.Mean, r.Std);
            points.Add((new CalibrationPoint(eps, nBeta, gamma, r.Mean, r.Std, r.Diagnostics.RHat, r.Diagnostics.Drift,
                r.Diagnostics.Verdict, diverged, stable), passing));
            if (diverged) break;
        }
        return points.Select(p => p.Point).ToList();
    }

    // Stable: agrees with every passing point of the current plateau (the passing points since the last failure).
    private static bool IsStable(List<(CalibrationPoint Point, bool Passing)> previous, double mean, double std)
    {
        var plateau = new List<CalibrationPoint>();
        for (int i = previous.Count - 1; i >= 0 && previous[i].Passing; i--) plateau.Add(previous[i].Point);
        if (plateau.Count == 0) return false;
        return plateau.All(p => Math.Abs(mean - p.Mean) <= Math.Max(std, p.Std));
    }

    private static CalibrationResult Choose(List<CalibrationPoint> sweep)
    {
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        var stable = sweep.Where(p => p.Stable).ToList();
        if (stable.Count > 0)
        {
            var best = stable[^1];
            return new CalibrationResult(sweep, best.StepSize,
                $"largest stable step size: ε = {F(best.StepSize)} gives λ̂ = {F(best.Mean)} ± {F(best.Std)}, within the chain spread of the estimates at smaller ε",
                true);
        }
        var passing = sweep.Where(p => !p.Diverged && p.Verdict != LlcVerdict.Untrusted).ToList();
        if (passing.Count > 0)
        {
            var best = passing.OrderBy(p => Math.Abs(p.Drift)).ThenByDescending(p => p.StepSize).First();
            return new CalibrationResult(sweep, best.StepSize,
                $"no two neighbouring step sizes agreed; fell back to ε = {F(best.StepSize)}, the passing point with the least drift", false);
        }
        var safe = sweep.Where(p => !p.Diverged).ToList();
        var fallback = safe.Count > 0 ? safe[^1] : sweep[0];
        return new CalibrationResult(sweep, fallback.StepSize,
            $"no step size passed the diagnostics; fell back to ε = {F(fallback.StepSize)}, the largest that did not diverge", false);
    }
}
