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
    public static LlcDiagnostics Assess(IReadOnlyList<double[]> lambdaTraces, double estimate, int chainCount,
        IReadOnlyList<DroppedChain> dropped, IReadOnlyList<double[]>? spreadTraces = null)
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
        if (rHat > LlcDiagnostics.RHatUntrusted) untrusted.Add($"R̂ = {F(rHat)} > {LlcDiagnostics.RHatUntrusted}: the chains disagree");
        else if (rHat > LlcDiagnostics.RHatDoubtful) doubtful.Add($"R̂ = {F(rHat)} > {LlcDiagnostics.RHatDoubtful}: the chains have not mixed");
        if (bulk < LlcDiagnostics.EssDoubtful) doubtful.Add($"bulk ESS = {F(bulk)} < {LlcDiagnostics.EssDoubtful}: too few effective draws");

        double negative = lambdaTraces.Sum(t => t.Count(v => v < 0)) / (double)(healthy * draws);
        if (negative > LlcDiagnostics.NegativeUntrusted) untrusted.Add($"{negative:P0} of draws have a loss below L(w*): w* is not a local minimum");
        else if (negative > LlcDiagnostics.NegativeDoubtful) doubtful.Add($"{negative:P0} of draws have a loss below L(w*) (negative-LLC excursions)");

        var (drift, significant) = Drift(lambdaTraces, estimate, bulk);
        if (Math.Abs(drift) > LlcDiagnostics.DriftDoubtful && significant)
            doubtful.Add($"the trace is still {(drift > 0 ? "rising" : "falling")}: it changes by {drift:P0} of λ̂ over its second half (more burn-in, more draws or a larger step size)");

        double spread = double.NaN;
        if (spreadTraces is { Count: > 0 } && spreadTraces[0].Length >= 4)
        {
            double meanSpread = spreadTraces.Average(t => t.Skip(t.Length / 2).Average());
            var (rise, spreadSignificant) = Drift(spreadTraces, meanSpread, ChainDiagnostics.BulkEss(spreadTraces));
            spread = rise;
            if (rise > LlcDiagnostics.SpreadDoubtful && spreadSignificant)
                doubtful.Add($"the chains are still spreading away from w*: ‖w − w*‖² grows by {rise:P0} over the second half, so they have not filled the localized posterior and λ̂ depends on the chain length (more burn-in, more draws, a larger step size or a stronger localization)");
        }

        var verdict = untrusted.Count > 0 ? LlcVerdict.Untrusted : doubtful.Count > 0 ? LlcVerdict.Doubtful : LlcVerdict.Trusted;
        return new LlcDiagnostics(rHat, bulk, tail, drift, negative, dropped, verdict, untrusted.Concat(doubtful).ToList(), spread);
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
