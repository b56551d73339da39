using System.Globalization;
using DevInterp.Llc.Potentials;

namespace DevInterp.Llc;

/// <summary>
/// Chooses the SGLD step size. It sweeps ε upwards on a grid (stopping at the first divergence). A point passes when
/// its chains pass the diagnostics: no divergence, R̂ ≤ 1.1 and no significant drift (too small an ε leaves the chains
/// still spreading out from w*, which shows as drift and disagreement). It is stable when its estimate lies within the
/// chain spread (the standard error of the chain mean) of every passing estimate at smaller ε: the discretization bias
/// of SGLD grows with ε, so an estimate that has moved away from those at smaller steps is biased. The chosen ε is the
/// largest stable one, or else the smallest passing one.
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
        var points = new List<CalibrationPoint>();
        foreach (double eps in Options.GridFor(nBeta).Order())
        {
            var o = Options.Base with
            {
                StepSize = eps, NBeta = nBeta, Localization = gamma, Chains = Options.Chains, Draws = Options.Draws,
                BurnIn = Options.BurnIn, StepsBetweenDraws = 1, TargetRelativeError = null,
            };
            var r = LlcEstimator.Run(potential, o, "calibration", progress, cancel, "calibrating");
            var d = r.Diagnostics;
            bool diverged = d.Dropped.Count > 0 || !double.IsFinite(r.Mean);
            bool significantDrift = d.Reasons.Any(reason => reason.StartsWith("the trace is still", StringComparison.Ordinal));
            bool passing = !diverged && r.Mean > 0 && d.RHat <= LlcDiagnostics.RHatDoubtful && !significantDrift;
            double se = StandardError(r);
            bool stable = passing && points.Where(p => p.Passing).All(p => Math.Abs(r.Mean - p.Mean) <= Math.Max(se, StandardError(p)));
            points.Add(new CalibrationPoint(eps, nBeta, gamma, r.Mean, r.Std, d.RHat, d.Drift, d.Verdict, diverged, passing, stable));
            if (diverged) break;
        }
        return points;
    }

    private double StandardError(LlcResult r) => r.Std / Math.Sqrt(Math.Max(1, r.PerChain.Count(double.IsFinite)));

    private double StandardError(CalibrationPoint p) => p.Std / Math.Sqrt(Options.Chains);

    private static CalibrationResult Choose(List<CalibrationPoint> sweep)
    {
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        var passing = sweep.Where(p => p.Passing).ToList();
        var stable = passing.Skip(1).Where(p => p.Stable).ToList();
        if (stable.Count > 0)
        {
            var best = stable[^1];
            return new CalibrationResult(sweep, best.StepSize,
                $"largest stable step size: ε = {F(best.StepSize)} gives λ̂ = {F(best.Mean)} ± {F(best.Std)}, within the chain spread of the passing estimates at smaller ε",
                true);
        }
        if (passing.Count > 0)
        {
            var best = passing[0];
            return new CalibrationResult(sweep, best.StepSize,
                $"smallest passing step size: ε = {F(best.StepSize)} gives λ̂ = {F(best.Mean)} ± {F(best.Std)}; larger step sizes moved the estimate (discretization bias)",
                passing.Count > 1);
        }
        var safe = sweep.Where(p => !p.Diverged).ToList();
        var fallback = safe.Count > 0 ? safe[^1] : sweep[0];
        return new CalibrationResult(sweep, fallback.StepSize,
            $"no step size passed the diagnostics; fell back to ε = {F(fallback.StepSize)}, the largest that did not diverge", false);
    }
}
