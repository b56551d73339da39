using System.Globalization;
using DevInterp.Llc.Diagnostics;
using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc;

/// <summary>
/// Chooses the step size ε by a sweep over a grid, each point continuing the chains where the previous step size left
/// them, so the chains need not spread out from w* again. Every point runs short chains and is
/// judged: it <em>passes</em> when its chains pass the diagnostics (no divergence, λ̂ &gt; 0, R̂ ≤ 1.1, no significant
/// drift of λ̂, no spikes or excess scatter of the draws), and it <em>agrees</em> when its estimate lies within three
/// standard errors of every passing neighbouring point's (and it has one). A point that fails or disagrees is never chosen while one that does
/// neither exists; the result says which rule chose (docs/llc.md, "Calibration").
/// <list type="bullet">
/// <item>Metropolis-adjusted samplers (MALA): the estimate does not depend on ε, only the mixing does, so the rule is
/// the acceptance rate: among passing, agreeing points with acceptance in the band
/// [<see cref="CalibrationOptions.AcceptanceLow"/>, <see cref="CalibrationOptions.AcceptanceHigh"/>], the one closest to
/// <see cref="CalibrationOptions.AcceptanceTarget"/> (Roberts &amp; Rosenthal 1998). This sweep runs upwards from the
/// smallest ε, coarse (×10^½) above the band and fine (×10^⅛) through it, and stops once the acceptance is below it.</item>
/// <item>Unadjusted samplers (SGLD, pSGLD, SGNHT): large steps bias λ̂, so the rule is stability: the largest passing ε
/// whose estimate agrees with the passing estimate at the next smaller ε (the bias left is then below the spread).</item>
/// </list>
/// </summary>
public sealed class LlcCalibrator(CalibrationOptions options)
{
    /// <summary>Estimates further apart than this many combined standard errors disagree.</summary>
    public const double AgreementZ = 3;

    /// <summary>The options.</summary>
    public CalibrationOptions Options { get; } = options;

    // Where the chains of each passing point ended (by ε), for an estimate that continues the chosen one.
    private readonly Dictionary<double, torch.Tensor> _ends = [];

    /// <summary>Runs the sweep on a potential.</summary>
    public CalibrationResult Calibrate(IChainPotential potential, IProgress<LlcProgress>? progress = null, CancellationToken cancel = default) =>
        Calibrate(potential, progress, cancel, null, out _);

    /// <summary>
    /// Runs the sweep; <paramref name="chainState"/> ([chains, D]) receives where the chosen point's chains ended
    /// (<paramref name="filled"/> true), so an estimate at the chosen ε can continue them.
    /// </summary>
    internal CalibrationResult Calibrate(IChainPotential potential, IProgress<LlcProgress>? progress, CancellationToken cancel,
        torch.Tensor? chainState, out bool filled)
    {
        filled = false;
        ArgumentNullException.ThrowIfNull(potential);
        double baseNBeta = Options.Base.ResolveNBeta(potential.SampleCount, potential.Dimension);
        var nBetas = new[] { baseNBeta }.Concat(Options.NBetas ?? []).Distinct().ToList();
        var gammas = new[] { Options.Base.Localization }.Concat(Options.Localizations ?? []).Distinct().ToList();
        var grid = new List<CalibrationPoint>();
        CalibrationResult? chosen = null;
        foreach (double nBeta in nBetas)
        {
            foreach (double gamma in gammas)
            {
                bool main = nBeta == baseNBeta && gamma == Options.Base.Localization;
                _ends.Clear();
                var (sweep, choice) = Sweep(potential, nBeta, gamma, progress, cancel);
                grid.AddRange(sweep);
                if (main)
                {
                    chosen = choice;
                    if (chainState is not null && _ends.TryGetValue(choice.Chosen, out var end))
                    {
                        chainState.copy_(end);
                        filled = true;
                    }
                }
                foreach (var end in _ends.Values) end.Dispose();
                _ends.Clear();
            }
        }
        return chosen! with { Grid = grid };
    }

    private (List<CalibrationPoint> Points, CalibrationResult Choice) Sweep(IChainPotential potential, double nBeta, double gamma,
        IProgress<LlcProgress>? progress, CancellationToken cancel)
    {
        bool adjusted;
        using (var probe = LlcEstimator.CreateSampler(Options.Base.Sampler, new Samplers.SamplerSettings(1, nBeta, gamma), Options.Base.Integrator))
            adjusted = probe.Adjusted;
        var points = adjusted ? AscendingSweep(potential, nBeta, gamma, progress, cancel) : DescendingSweep(potential, nBeta, gamma, progress, cancel);
        var judged = Judge(points.OrderBy(p => p.StepSize).ToList());
        return (judged, adjusted ? ChooseByAcceptance(judged) : ChooseByStability(judged));
    }

    // Unadjusted samplers: the grid from the largest ε down, each point continuing the previous one's chains (large steps
    // spread the chains fast; smaller ones then start from the spread positions).
    private List<CalibrationPoint> DescendingSweep(IChainPotential potential, double nBeta, double gamma,
        IProgress<LlcProgress>? progress, CancellationToken cancel)
    {
        var points = new List<CalibrationPoint>();
        using var state = torch.zeros([Options.Chains, potential.Dimension], dtype: potential.Center.dtype).DetachFromDisposeScope();
        bool warm = false;
        foreach (double eps in (Options.StepSizes ?? Options.GridFor(nBeta)).OrderDescending())
        {
            var point = Point(potential, eps, nBeta, gamma, warm ? state : null, state, progress, cancel);
            points.Add(point);
            warm = !point.Diverged; // a diverged run leaves no usable positions: the next step size starts from w*
        }
        return points;
    }

    // Metropolis-adjusted samplers: from the smallest ε up, each point continuing the previous one's chains. Upwards,
    // because a large step with a low acceptance moves chains rarely but far (along flat directions), and a smaller step
    // started there inherits positions it needs a long time to leave. Coarse steps (×10^½) while the acceptance is above
    // the band, fine ones (×10^⅛) from the last coarse point above it (so the band cannot be stepped over), until the
    // acceptance falls below the band: that point is the neighbour of the last one in it.
    private List<CalibrationPoint> AscendingSweep(IChainPotential potential, double nBeta, double gamma,
        IProgress<LlcProgress>? progress, CancellationToken cancel)
    {
        var points = new List<CalibrationPoint>();
        using var state = torch.zeros([Options.Chains, potential.Dimension], dtype: potential.Center.dtype).DetachFromDisposeScope();
        using var saved = torch.zeros_like(state).DetachFromDisposeScope();
        bool warm = false, savedWarm = false;
        if (Options.StepSizes is { } given)
        {
            foreach (double eps in given.Order())
            {
                var point = Point(potential, eps, nBeta, gamma, warm ? state : null, state, progress, cancel);
                points.Add(point);
                warm = !point.Diverged;
                if (point.Acceptance < Options.AcceptanceLow && points.Count > 1) break;
            }
            return points;
        }
        // Above the grid's top (ε·nβ = 10^½) only while the acceptance stays above the band: a Metropolis-adjusted
        // sampler is exact at any ε, so a flat potential may take larger steps.
        double top = LlcOptions.GridHigh / nBeta * (1 + 1e-9);
        double fineFactor = Math.Pow(10, 1.0 / 8), coarseFactor = Math.Sqrt(10);
        double current = LlcOptions.GridLow / nBeta;
        bool fine = false;
        while (current <= top && points.Count < Options.MaxPoints)
        {
            double eps = current;
            if (points.Any(p => Math.Abs(p.StepSize / eps - 1) < 1e-6)) break; // fine steps came back to a tried coarse point
            if (!fine)
            {
                saved.copy_(state);
                savedWarm = warm;
            }
            var point = Point(potential, eps, nBeta, gamma, warm ? state : null, state, progress, cancel);
            points.Add(point);
            warm = !point.Diverged;
            double a = double.IsNaN(point.Acceptance) ? 0 : point.Acceptance;
            if (!fine)
            {
                if (a > Options.AcceptanceHigh)
                {
                    current = eps * coarseFactor;
                    continue;
                }
                fine = true;
                if (a < Options.AcceptanceLow && points.Count > 1)
                {
                    // Stepped over the band: fine steps from the previous (coarse) point, continuing its chains.
                    state.copy_(saved);
                    warm = savedWarm;
                    current = points[^2].StepSize * fineFactor;
                    continue;
                }
            }
            if (a < Options.AcceptanceLow) break;
            current = eps * fineFactor;
        }
        return points;
    }

    private CalibrationPoint Point(IChainPotential potential, double eps, double nBeta, double gamma, torch.Tensor? start,
        torch.Tensor final, IProgress<LlcProgress>? progress, CancellationToken cancel)
    {
        var o = Options.Base with
        {
            StepSize = eps, NBeta = nBeta, Localization = gamma, Chains = Options.Chains, Draws = Options.Draws,
            BurnIn = Options.BurnIn, StepsBetweenDraws = 1, TargetRelativeError = null,
        };
        var r = LlcEstimator.Run(potential, o, "calibration", progress, cancel, "calibrating", start, final);
        var d = r.Diagnostics;
        if (d.Dropped.Count == 0 && double.IsFinite(r.Mean) && !_ends.ContainsKey(eps))
            _ends[eps] = final.clone().DetachFromDisposeScope();
        bool diverged = d.Dropped.Count > 0 || !double.IsFinite(r.Mean);
        var failures = new List<string>();
        if (diverged) failures.Add(d.Dropped.Count > 0 ? $"{d.Dropped.Count} chain(s) diverged" : "no finite estimate");
        else
        {
            if (!(r.Mean > 0)) failures.Add("λ̂ ≤ 0");
            if (!(d.RHat <= LlcDiagnostics.RHatDoubtful)) failures.Add($"R̂ {F(d.RHat)} > {LlcDiagnostics.RHatDoubtful}");
            failures.AddRange(d.Reasons.Where(Disqualifies).Select(Short));
        }
        var healthy = r.LambdaTraces.Where((_, c) => double.IsFinite(r.PerChain[c])).ToList();
        double se = double.NaN;
        if (healthy.Count >= 2 && healthy[0].Length >= 4 && healthy.All(t => t.All(double.IsFinite)))
            se = Math.Max(r.Std / Math.Sqrt(healthy.Count), ChainDiagnostics.MeanStandardError(healthy));
        return new CalibrationPoint(eps, nBeta, gamma, r.Mean, r.Std, d.RHat, d.Drift, d.Verdict, diverged, failures.Count == 0, false,
            d.Acceptance, d.Dispersion, d.SpikeRatio, se, failures);
    }

    // Diagnostics that disqualify a calibration point: the drift of λ̂, spikes and excess scatter (a short run's ESS
    // and the chains' spreading along flat directions do not).
    private static bool Disqualifies(string reason) =>
        reason.StartsWith("the trace is still", StringComparison.Ordinal)
        || reason.StartsWith("spikes", StringComparison.Ordinal)
        || reason.StartsWith("the draws nβ(L − L*) scatter", StringComparison.Ordinal)
        || reason.Contains("not positive", StringComparison.Ordinal);

    private static string Short(string reason)
    {
        int colon = reason.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? reason[..colon] : reason;
    }

    // Marks each point's agreement with its neighbours in sweep order and adds the reasons of those that disagree.
    private static List<CalibrationPoint> Judge(List<CalibrationPoint> points)
    {
        var judged = new List<CalibrationPoint>(points.Count);
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            // Only passing neighbours are compared with: a failing point's estimate says nothing about agreement.
            var neighbours = new[] { i - 1, i + 1 }.Where(j => j >= 0 && j < points.Count && points[j].Passing && Comparable(points[j]))
                .Select(j => points[j]).ToList();
            var disagreeing = neighbours.Where(q => !Agree(p, q)).ToList();
            bool agrees = Comparable(p) && neighbours.Count > 0 && disagreeing.Count == 0;
            var reasons = p.Reasons.ToList();
            if (Comparable(p) && neighbours.Count == 0) reasons.Add("no passing neighbour to compare with");
            foreach (var q in disagreeing)
                reasons.Add($"disagrees with λ̂ = {F(q.Mean)} ± {F(q.StandardError)} at ε = {F(q.StepSize)}");
            judged.Add(p with { Stable = agrees, Reasons = reasons });
        }
        return judged;
    }

    private static bool Comparable(CalibrationPoint p) => !p.Diverged && double.IsFinite(p.Mean) && double.IsFinite(p.StandardError);

    private static bool Agree(CalibrationPoint a, CalibrationPoint b) =>
        Math.Abs(a.Mean - b.Mean) <= AgreementZ * Math.Sqrt(a.StandardError * a.StandardError + b.StandardError * b.StandardError);

    private CalibrationResult ChooseByAcceptance(List<CalibrationPoint> points)
    {
        string band = $"[{Options.AcceptanceLow:P0}, {Options.AcceptanceHigh:P0}]";
        var good = points.Where(p => p.Passing && p.Stable).ToList();
        var inBand = good.Where(InBand).ToList();
        if (inBand.Count > 0)
        {
            var best = inBand.MinBy(p => Math.Abs(p.Acceptance - Options.AcceptanceTarget))!;
            return Chosen(points, best, true,
                $"acceptance {best.Acceptance:P0} in the band {band} (closest to {Options.AcceptanceTarget:P0}), chains pass the diagnostics, λ̂ = {F(best.Mean)} ± {F(best.StandardError)} agrees with its neighbours");
        }
        if (good.Count > 0)
        {
            var best = good.MinBy(p => Distance(p.Acceptance))!;
            return Chosen(points, best, false,
                $"no passing, agreeing step size has its acceptance in {band}; chose ε = {F(best.StepSize)} (acceptance {best.Acceptance:P0}), the closest to the band that passes and agrees");
        }
        return Fallback(points);
    }

    private double Distance(double acceptance) =>
        double.IsNaN(acceptance) ? double.PositiveInfinity
        : acceptance < Options.AcceptanceLow ? Options.AcceptanceLow - acceptance
        : acceptance > Options.AcceptanceHigh ? acceptance - Options.AcceptanceHigh : 0;

    private bool InBand(CalibrationPoint p) => p.Acceptance >= Options.AcceptanceLow && p.Acceptance <= Options.AcceptanceHigh;

    private CalibrationResult ChooseByStability(List<CalibrationPoint> points)
    {
        // Largest passing ε whose estimate agrees with the passing estimate at the next smaller ε.
        for (int i = 0; i + 1 < points.Count; i++)
        {
            var (p, q) = (points[i], points[i + 1]);
            if (p.Passing && q.Passing && p.Stable && Agree(p, q))
                return Chosen(points, p, true,
                    $"largest stable step size: ε = {F(p.StepSize)} gives λ̂ = {F(p.Mean)} ± {F(p.StandardError)}, agreeing with λ̂ = {F(q.Mean)} at ε = {F(q.StepSize)}");
        }
        var good = points.Where(p => p.Passing && p.Stable).ToList();
        if (good.Count > 0)
        {
            var best = good[^1];
            return Chosen(points, best, false,
                $"no two neighbouring passing step sizes agreed; chose the smallest passing, agreeing ε = {F(best.StepSize)} (λ̂ = {F(best.Mean)}), the least biased");
        }
        return Fallback(points);
    }

    // Nothing passes and agrees: the least bad point, said plainly (the estimate then carries the warning).
    private CalibrationResult Fallback(List<CalibrationPoint> points)
    {
        var passing = points.Where(p => p.Passing).ToList();
        if (passing.Count > 0)
        {
            var best = passing.MinBy(p => p.Acceptance is var a && double.IsNaN(a) ? 0 : Math.Abs(a - 0.574))!;
            return Chosen(points, best, false,
                $"no step size both passed and agreed with its neighbours; fell back to the passing ε = {F(best.StepSize)} ({string.Join("; ", best.Reasons)})");
        }
        var safe = points.Where(p => !p.Diverged).ToList();
        if (safe.Count > 0 && safe.Any(p => !double.IsNaN(p.Acceptance)))
        {
            // Adjusted sampler: the one whose acceptance is closest to the band (the largest such ε on ties).
            double best = safe.Min(p => Distance(p.Acceptance));
            var nearest = safe.Where(p => Distance(p.Acceptance) == best).MaxBy(p => p.StepSize)!;
            return Chosen(points, nearest, false,
                $"no step size passed the diagnostics; fell back to ε = {F(nearest.StepSize)}, acceptance {nearest.Acceptance:P0}, the closest to the band ({string.Join("; ", nearest.Reasons)})");
        }
        var fallback = safe.Count > 0 ? safe.MaxBy(p => p.StepSize)! : points[^1];
        return Chosen(points, fallback, false,
            $"no step size passed the diagnostics; fell back to ε = {F(fallback.StepSize)}, the largest that did not diverge ({string.Join("; ", fallback.Reasons)})");
    }

    private static CalibrationResult Chosen(List<CalibrationPoint> points, CalibrationPoint chosen, bool confident, string reason) =>
        new(points.ToList(), chosen.StepSize, reason, confident);

    private static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
