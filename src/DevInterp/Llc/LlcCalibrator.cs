using System.Globalization;
using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc;

/// <summary>
/// Chooses the SGLD step size by a descending sweep. Starting from the largest ε of the grid (where chains mix fastest
/// but the discretization biases λ̂ upwards), each smaller ε continues the chains where the previous one left them
/// (a warm start, so the chains need not spread out from w* again). A point passes when its chains pass the
/// diagnostics (no divergence, R̂ ≤ 1.1, no significant drift). The chosen ε is the largest passing one whose estimate
/// is stable: within the chain spread (the standard error of the chain mean) of the passing estimate at the next
/// smaller ε. Once two neighbours agree, the bias left at the larger of them is below that spread, and smaller steps
/// would only mix more slowly.
/// </summary>
public sealed class LlcCalibrator(CalibrationOptions options)
{
    /// <summary>The options.</summary>
    public CalibrationOptions Options { get; } = options;

    /// <summary>Runs the sweep on a potential.</summary>
    public CalibrationResult Calibrate(IChainPotential potential, IProgress<LlcProgress>? progress = null, CancellationToken cancel = default)
    {
        double baseNBeta = Options.Base.ResolveNBeta(potential.SampleCount, potential.Dimension);
        var nBetas = new[] { baseNBeta }.Concat(Options.NBetas ?? []).Distinct().ToList();
        var gammas = new[] { Options.Base.Localization }.Concat(Options.Localizations ?? []).Distinct().ToList();
        var grid = new List<CalibrationPoint>();
        CalibrationResult? chosen = null;
        foreach (double nBeta in nBetas)
        {
            foreach (double gamma in gammas)
            {
                var (sweep, choice) = Sweep(potential, nBeta, gamma, progress, cancel);
                grid.AddRange(sweep);
                if (nBeta == baseNBeta && gamma == Options.Base.Localization) chosen = choice;
            }
        }
        return chosen! with { Grid = grid };
    }

    private (List<CalibrationPoint> Points, CalibrationResult Choice) Sweep(IChainPotential potential, double nBeta, double gamma,
        IProgress<LlcProgress>? progress, CancellationToken cancel)
    {
        var points = new List<CalibrationPoint>();
        using var state = torch.zeros([Options.Chains, potential.Dimension], dtype: potential.Center.dtype).DetachFromDisposeScope();
        bool warm = false;
        CalibrationPoint? previous = null;
        foreach (double eps in Options.GridFor(nBeta).OrderDescending())
        {
            var o = Options.Base with
            {
                StepSize = eps, NBeta = nBeta, Localization = gamma, Chains = Options.Chains, Draws = Options.Draws,
                BurnIn = Options.BurnIn, StepsBetweenDraws = 1, TargetRelativeError = null,
            };
            var r = LlcEstimator.Run(potential, o, "calibration", progress, cancel, "calibrating", warm ? state : null, state);
            var d = r.Diagnostics;
            bool diverged = d.Dropped.Count > 0 || !double.IsFinite(r.Mean);
            bool significantDrift = d.Reasons.Any(reason => reason.StartsWith("the trace is still", StringComparison.Ordinal));
            bool passing = !diverged && r.Mean > 0 && d.RHat <= LlcDiagnostics.RHatDoubtful && !significantDrift;
            var point = new CalibrationPoint(eps, nBeta, gamma, r.Mean, r.Std, d.RHat, d.Drift, d.Verdict, diverged, passing, false);
            // A diverged run leaves no usable positions: the next step size starts again from w*.
            warm = !diverged;
            if (previous is { Passing: true } && passing &&
                Math.Abs(previous.Mean - point.Mean) <= Math.Max(StandardError(previous), StandardError(point)))
            {
                points[^1] = previous with { Stable = true };
                points.Add(point);
                return (points, Chosen(points, points[^2], true,
                    $"largest stable step size: ε = {F(previous.StepSize)} gives λ̂ = {F(previous.Mean)} ± {F(previous.Std)}, within the chain spread of λ̂ = {F(point.Mean)} at ε = {F(point.StepSize)}"));
            }
            points.Add(point);
            previous = point;
        }
        var passingPoints = points.Where(p => p.Passing).ToList();
        if (passingPoints.Count > 0)
        {
            var best = passingPoints[^1];
            return (points, Chosen(points, best, false,
                $"no two neighbouring step sizes agreed; chose the smallest passing ε = {F(best.StepSize)} (λ̂ = {F(best.Mean)} ± {F(best.Std)}), the least biased"));
        }
        var safe = points.Where(p => !p.Diverged).ToList();
        var fallback = safe.Count > 0 ? safe.MaxBy(p => p.StepSize)! : points[^1];
        return (points, Chosen(points, fallback, false,
            $"no step size passed the diagnostics; fell back to ε = {F(fallback.StepSize)}, the largest that did not diverge"));
    }

    private static CalibrationResult Chosen(List<CalibrationPoint> points, CalibrationPoint chosen, bool confident, string reason) =>
        new(points.ToList(), chosen.StepSize, reason, confident);

    private double StandardError(CalibrationPoint p) => p.Std / Math.Sqrt(Options.Chains);

    private static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
