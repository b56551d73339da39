using System.Globalization;
using DevInterp.Llc.Diagnostics;

namespace DevInterp.Llc;

/// <summary>Turns the per-draw λ traces of the healthy chains into diagnostics and a verdict with reasons in words.</summary>
public static class LlcVerdicts
{
    /// <summary>Computes R̂, ESS, drift and negative excursions and applies the thresholds of <see cref="LlcDiagnostics"/>.</summary>
    /// <param name="lambdaTraces">Per healthy chain, nβ·(L(w_t) − L(w*)) at each draw.</param>
    /// <param name="estimate">λ̂ (mean over the healthy chains).</param>
    /// <param name="chainCount">Chains run, healthy or not.</param>
    /// <param name="dropped">Chains dropped for divergence.</param>
    /// <param name="spreadTraces">Per healthy chain, ‖w_t − w*‖² at each draw; null when not recorded.</param>
    /// <param name="acceptance">Per healthy chain, the acceptance rate of a Metropolis-adjusted sampler; null otherwise.</param>
    /// <param name="minibatch">True when the draws are minibatch estimates (noisier: a wider Var/mean threshold).</param>
    public static LlcDiagnostics Assess(IReadOnlyList<double[]> lambdaTraces, double estimate, int chainCount,
        IReadOnlyList<DroppedChain> dropped, IReadOnlyList<double[]>? spreadTraces = null,
        IReadOnlyList<double>? acceptance = null, bool minibatch = false)
    {
        var untrusted = new List<string>();
        var doubtful = new List<string>();
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

        int healthy = lambdaTraces.Count;
        if (dropped.Count > 0)
        {
            string which = string.Join(", ", dropped.Select(d => $"chain {d.Chain} at step {d.Step} ({d.Reason})"));
            (2 * dropped.Count > chainCount ? untrusted : doubtful).Add($"{dropped.Count} of {chainCount} chains diverged and were dropped: {which}");
        }
        if (healthy == 0)
        {
            untrusted.Add("no chain survived");
            return new LlcDiagnostics(double.NaN, 0, 0, double.NaN, double.NaN, dropped, LlcVerdict.Untrusted, untrusted);
        }

        double rHat = double.NaN, bulk = double.NaN, tail = double.NaN;
        int draws = lambdaTraces[0].Length;
        if (draws >= 4)
        {
            rHat = ChainDiagnostics.SplitRHat(lambdaTraces);
            bulk = ChainDiagnostics.BulkEss(lambdaTraces);
            tail = ChainDiagnostics.TailEss(lambdaTraces);
        }
        if (healthy < 2) untrusted.Add("fewer than 2 healthy chains: R̂ and the spread cannot be assessed");

        if (!(estimate > 0)) untrusted.Add($"the estimate {F(estimate)} is not positive: the checkpoint is not at a local minimum of the loss, or the chains left its basin");
        // With a handful of effective draws per split half, R̂ measures the draws' autocorrelation more than any
        // disagreement between chains: then it makes the estimate doubtful (too few draws), not untrusted.
        if (rHat > LlcDiagnostics.RHatUntrusted && bulk < LlcDiagnostics.EssForRHat)
            doubtful.Add($"R̂ = {F(rHat)} with only {F(bulk)} effective draws (< {LlcDiagnostics.EssForRHat}): too few draws for the chains to agree; more draws would tell");
        else if (rHat > LlcDiagnostics.RHatUntrusted) untrusted.Add($"R̂ = {F(rHat)} > {LlcDiagnostics.RHatUntrusted}: the chains disagree");
        else if (rHat > LlcDiagnostics.RHatDoubtful) doubtful.Add($"R̂ = {F(rHat)} > {LlcDiagnostics.RHatDoubtful}: the chains have not mixed");
        if (bulk < LlcDiagnostics.EssDoubtful) doubtful.Add($"bulk ESS = {F(bulk)} < {LlcDiagnostics.EssDoubtful}: too few effective draws");

        double negative = lambdaTraces.Sum(t => t.Count(v => v < 0)) / (double)(healthy * draws);
        if (negative > LlcDiagnostics.NegativeUntrusted) untrusted.Add($"{negative:P0} of draws have a loss below L(w*): w* is not a local minimum");
        else if (negative > LlcDiagnostics.NegativeDoubtful) doubtful.Add($"{negative:P0} of draws have a loss below L(w*) (negative-LLC excursions)");

        var (drift, significant) = Drift(lambdaTraces, estimate, bulk);
        if (Math.Abs(drift) > LlcDiagnostics.DriftDoubtful && significant)
            doubtful.Add($"the trace is still {(drift > 0 ? "rising" : "falling")}: it changes by {drift:P0} of λ̂ over its second half (more burn-in, more draws or a larger step size)");

        // ‖w − w*‖² keeps growing along flat directions long after λ̂ has settled: reported, judged through λ̂'s drift.
        double spread = double.NaN;
        if (spreadTraces is { Count: > 0 } && spreadTraces[0].Length >= 4)
        {
            double meanSpread = spreadTraces.Average(t => t.Skip(t.Length / 2).Average());
            spread = Drift(spreadTraces, meanSpread, ChainDiagnostics.BulkEss(spreadTraces)).Relative;
        }

        // Spikes: in the Gamma(λ, 1) regime of draws near a minimum, Var/mean ≈ 1 and the largest of N draws is about
        // the 1 − 1/N quantile of Gamma(λ̂, 1). Rare stiff-direction excursions of an unadjusted sampler leave the median
        // where it was and raise both by orders of magnitude.
        var pooled = lambdaTraces.SelectMany(t => t).ToArray();
        double dispersion = Dispersion(pooled), peak = PeakRatio(pooled), spike = SpikeRatio(pooled, estimate);
        var chainDispersion = lambdaTraces.Select(Dispersion).ToList();
        var chainPeak = lambdaTraces.Select(PeakRatio).ToList();
        double dispersionLimit = minibatch ? LlcDiagnostics.DispersionDoubtfulMinibatch : LlcDiagnostics.DispersionDoubtful;
        // The Gamma(λ, 1) picture holds for λ of order one and above; for λ̂ ≪ 1 (a nearly flat or strongly localized
        // posterior) its quantiles go to zero and every draw would look like a spike.
        bool gammaRegime = estimate >= 0.5;
        if (gammaRegime && dispersion > dispersionLimit)
        {
            var worst = chainDispersion.Select((v, c) => (v, c)).Where(p => p.v > dispersionLimit).Select(p => $"{p.c}: {F(p.v)}").ToList();
            doubtful.Add($"the draws nβ(L − L*) scatter far more than near a minimum: Var/mean = {F(dispersion)} > {F(dispersionLimit)} (≈ 1 for chains sampling the posterior; chains above: {(worst.Count > 0 ? string.Join(", ", worst) : "none alone")}), from spikes, a checkpoint off its minimum{(minibatch ? " or minibatch noise" : "")}");
        }
        if (gammaRegime && spike > LlcDiagnostics.SpikeDoubtful)
            doubtful.Add($"spikes: the largest draw {F(pooled.Max())} is {F(spike)}× the largest of a Gamma(λ̂, 1) sample of this size (max/median {F(peak)}); rare excursions along stiff directions inflate λ̂ (a Metropolis-adjusted sampler or a smaller step size removes them)");

        double meanAcceptance = double.NaN;
        if (acceptance is { Count: > 0 })
        {
            meanAcceptance = acceptance.Average();
            if (meanAcceptance < LlcDiagnostics.AcceptanceDoubtful)
                doubtful.Add($"the chains rarely move: {meanAcceptance:P0} of proposals accepted (< {LlcDiagnostics.AcceptanceDoubtful:P0}; a smaller step size mixes better)");
        }

        var verdict = untrusted.Count > 0 ? LlcVerdict.Untrusted : doubtful.Count > 0 ? LlcVerdict.Doubtful : LlcVerdict.Trusted;
        return new LlcDiagnostics(rHat, bulk, tail, drift, negative, dropped, verdict, untrusted.Concat(doubtful).ToList(), spread,
            meanAcceptance, dispersion, peak, spike, acceptance?.ToList(), chainDispersion, chainPeak);
    }

    /// <summary>Var/mean of draws (NaN when the mean is not positive or there are fewer than 2).</summary>
    public static double Dispersion(double[] draws)
    {
        if (draws.Length < 2) return double.NaN;
        double mean = draws.Average();
        if (!(mean > 0)) return double.NaN;
        return draws.Sum(v => (v - mean) * (v - mean)) / (draws.Length - 1) / mean;
    }

    /// <summary>max/median of draws (NaN when the median is not positive).</summary>
    public static double PeakRatio(double[] draws)
    {
        if (draws.Length == 0) return double.NaN;
        var sorted = draws.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return median > 0 ? sorted[^1] / median : double.NaN;
    }

    /// <summary>
    /// The largest draw over the 1 − 1/N quantile of Gamma(λ̂, 1), N the number of draws: the largest value such a
    /// sample reaches (autocorrelated draws reach less, so this errs towards not flagging). NaN when λ̂ ≤ 0 or not finite,
    /// or when the quantile cannot be computed.
    /// </summary>
    public static double SpikeRatio(double[] draws, double estimate)
    {
        if (draws.Length < 2 || !(estimate > 0) || !double.IsFinite(estimate)) return double.NaN;
        double expected;
        try
        {
            expected = MathNet.Numerics.Distributions.Gamma.InvCDF(estimate, 1, 1 - 1.0 / draws.Length);
        }
        catch (ArgumentOutOfRangeException)
        {
            // MathNet's inverse rejects some shapes (seen with chains that barely moved at ε = 1e-7 off a minimum, in
            // llc-step-rate): no reference maximum, so no spike judgement, rather than a crash of the whole estimate.
            return double.NaN;
        }
        return expected > 0 ? draws.Max() / expected : double.NaN;
    }

    /// <summary>
    /// Least-squares slope of the chain-averaged trace over its second half, times the half length, relative to |λ̂|;
    /// significant when the slope exceeds two standard errors inflated by the autocorrelation time (draws / ESS).
    /// </summary>
    public static (double Relative, bool Significant) Drift(IReadOnlyList<double[]> traces, double estimate, double bulkEss)
    {
        int n = traces[0].Length;
        int start = n / 2;
        int m = n - start;
        if (m < 3) return (0, false);
        var y = new double[m];
        for (int i = 0; i < m; i++) y[i] = traces.Average(t => t[start + i]);
        double xMean = (m - 1) / 2.0, yMean = y.Average();
        double sxx = 0, sxy = 0;
        for (int i = 0; i < m; i++)
        {
            sxx += (i - xMean) * (i - xMean);
            sxy += (i - xMean) * (y[i] - yMean);
        }
        double slope = sxy / sxx;
        double residual = 0;
        for (int i = 0; i < m; i++) residual += Math.Pow(y[i] - yMean - slope * (i - xMean), 2);
        double se = Math.Sqrt(residual / (m - 2) / sxx);
        double tau = double.IsFinite(bulkEss) && bulkEss > 0 ? Math.Max(1, traces.Count * n / bulkEss) : 1;
        bool significant = Math.Abs(slope) > 2 * se * Math.Sqrt(tau);
        double scale = Math.Abs(estimate) > 1e-12 ? Math.Abs(estimate) : 1;
        return (slope * m / scale, significant);
    }
}
