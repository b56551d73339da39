using MathNet.Numerics.Distributions;

namespace DevInterp.Llc.Diagnostics;

/// <summary>
/// Convergence diagnostics across MCMC chains after Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021),
/// "Rank-normalization, folding, and localization: an improved R̂ for assessing convergence of MCMC": split chains,
/// rank-normalize the pooled draws, compute R̂ on the draws (bulk) and on their distance from the median (tail), and the
/// effective sample size from autocorrelations combined across chains with Geyer's initial monotone sequence.
/// </summary>
public static class ChainDiagnostics
{
    /// <summary>
    /// Rank-normalized split R̂: the larger of the bulk R̂ and the folded (tail) R̂. Needs at least 4 draws per chain.
    /// Values near 1 mean the chains agree; above 1.01–1.1 they have not mixed.
    /// </summary>
    public static double SplitRHat(IReadOnlyList<double[]> chains)
    {
        var split = Split(chains);
        double bulk = RHat(RankNormalize(split));
        double tail = RHat(RankNormalize(Fold(split)));
        return Math.Max(bulk, tail);
    }

    /// <summary>Bulk effective sample size: ESS of the rank-normalized split chains.</summary>
    public static double BulkEss(IReadOnlyList<double[]> chains) => Ess(RankNormalize(Split(chains)));

    /// <summary>
    /// Tail effective sample size: the smaller ESS of the indicators of the 5% and 95% quantiles, which says how well
    /// the tails are resolved.
    /// </summary>
    public static double TailEss(IReadOnlyList<double[]> chains)
    {
        var split = Split(chains);
        var pooled = split.SelectMany(c => c).Order().ToArray();
        double q05 = Quantile(pooled, 0.05), q95 = Quantile(pooled, 0.95);
        double lower = Ess(split.Select(c => c.Select(v => v <= q05 ? 1.0 : 0.0).ToArray()).ToList());
        double upper = Ess(split.Select(c => c.Select(v => v <= q95 ? 1.0 : 0.0).ToArray()).ToList());
        return Math.Min(lower, upper);
    }

    /// <summary>Classic (Gelman–Rubin) R̂ of equal-length chains, without splitting or rank normalization.</summary>
    public static double RHat(IReadOnlyList<double[]> chains)
    {
        Validate(chains, 2);
        int m = chains.Count, n = chains[0].Length;
        var means = chains.Select(c => c.Average()).ToArray();
        double grand = means.Average();
        double b = n * means.Sum(x => (x - grand) * (x - grand)) / (m - 1);
        double w = chains.Select((c, i) => c.Sum(x => (x - means[i]) * (x - means[i])) / (n - 1)).Average();
        if (w <= 0) return b <= 0 ? 1.0 : double.PositiveInfinity; // constant chains: agree iff identical
        double varPlus = (n - 1.0) / n * w + b / n;
        return Math.Sqrt(varPlus / w);
    }

    /// <summary>
    /// Effective sample size of equal-length chains (no splitting): M·N/τ with τ = −1 + 2·Σ P_t, P_t = ρ_2t + ρ_2t+1 the
    /// paired combined autocorrelations, truncated at the first negative pair and made monotone (Geyer 1992).
    /// </summary>
    public static double Ess(IReadOnlyList<double[]> chains)
    {
        Validate(chains, 2);
        int m = chains.Count, n = chains[0].Length;
        var means = chains.Select(c => c.Average()).ToArray();
        var variances = chains.Select((c, i) => c.Sum(x => (x - means[i]) * (x - means[i])) / (n - 1)).ToArray();
        double w = variances.Average();
        double grand = means.Average();
        double b = m > 1 ? n * means.Sum(x => (x - grand) * (x - grand)) / (m - 1) : 0;
        double varPlus = (n - 1.0) / n * w + b / n;
        if (varPlus <= 0 || w <= 0) return m * n; // constant draws carry no autocorrelation to correct for

        // The chains' mean autocovariance at every lag, by FFT: O(n log n) whatever the autocorrelation time (lag by lag,
        // a chain that barely mixes would cost O(n²)).
        var meanAutocovariance = MeanAutocovariances(chains, means);
        double Rho(int t)
        {
            // Combined autocorrelation (Vehtari et al. eq. 10), using the biased per-chain autocovariance.
            return 1 - (w - meanAutocovariance[t] * n / (n - 1.0)) / varPlus;
        }

        double tau = -1;
        double previousPair = double.PositiveInfinity;
        for (int t = 0; t + 1 < n; t += 2)
        {
            double pair = Rho(t) + Rho(t + 1);
            if (pair < 0) break;
            pair = Math.Min(pair, previousPair); // initial monotone sequence
            tau += 2 * pair;
            previousPair = pair;
        }
        tau = Math.Max(tau, 1.0 / Math.Log10(m * n)); // the cap of the reference implementation (antithetic chains)
        return m * n / tau;
    }

    /// <summary>
    /// Monte Carlo standard error of the mean of all draws: the pooled standard deviation over √ESS (ESS of the raw,
    /// unsplit chains).
    /// </summary>
    public static double MeanStandardError(IReadOnlyList<double[]> chains)
    {
        var all = chains.SelectMany(c => c).ToArray();
        double mean = all.Average();
        double sd = Math.Sqrt(all.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, all.Length - 1));
        return sd / Math.Sqrt(Ess(chains));
    }

    /// <summary>Splits each chain into its first and second halves (dropping the middle draw of odd lengths).</summary>
    public static List<double[]> Split(IReadOnlyList<double[]> chains)
    {
        Validate(chains, 1);
        int half = chains[0].Length / 2;
        if (half < 2) throw new ArgumentException("split diagnostics need at least 4 draws per chain");
        var result = new List<double[]>(2 * chains.Count);
        foreach (var c in chains)
        {
            result.Add(c[..half]);
            result.Add(c[^half..]);
        }
        return result;
    }

    /// <summary>Replaces draws by normal scores of their pooled ranks: Φ⁻¹((r − 3/8)/(S + 1/4)), ties averaged.</summary>
    public static List<double[]> RankNormalize(IReadOnlyList<double[]> chains)
    {
        int total = chains.Sum(c => c.Length);
        var all = new (double Value, int Chain, int Index)[total];
        int k = 0;
        for (int c = 0; c < chains.Count; c++)
            for (int i = 0; i < chains[c].Length; i++) all[k++] = (chains[c][i], c, i);
        Array.Sort(all, (a, b) => a.Value.CompareTo(b.Value));
        var result = chains.Select(c => new double[c.Length]).ToList();
        for (int start = 0; start < total;)
        {
            int end = start;
            while (end + 1 < total && all[end + 1].Value.Equals(all[start].Value)) end++;
            double rank = (start + end) / 2.0 + 1; // average rank of a run of ties, 1-based
            double z = Normal.InvCDF(0, 1, (rank - 0.375) / (total + 0.25));
            for (int j = start; j <= end; j++) result[all[j].Chain][all[j].Index] = z;
            start = end + 1;
        }
        return result;
    }

    private static List<double[]> Fold(IReadOnlyList<double[]> chains)
    {
        var pooled = chains.SelectMany(c => c).Order().ToArray();
        double median = Quantile(pooled, 0.5);
        return chains.Select(c => c.Select(v => Math.Abs(v - median)).ToArray()).ToList();
    }

    // Per lag t < n, the mean over chains of Σ_i (x_i − x̄)(x_{i+t} − x̄) / n: the inverse FFT of the power spectrum of
    // each centred chain, zero-padded to at least 2n so the circular correlation equals the linear one.
    private static double[] MeanAutocovariances(IReadOnlyList<double[]> chains, double[] means)
    {
        int n = chains[0].Length;
        int size = 1;
        while (size < 2 * n) size <<= 1;
        var result = new double[n];
        var buffer = new System.Numerics.Complex[size];
        for (int c = 0; c < chains.Count; c++)
        {
            Array.Clear(buffer);
            for (int i = 0; i < n; i++) buffer[i] = chains[c][i] - means[c];
            MathNet.Numerics.IntegralTransforms.Fourier.Forward(buffer, MathNet.Numerics.IntegralTransforms.FourierOptions.NoScaling);
            for (int k = 0; k < size; k++) buffer[k] = buffer[k].Magnitude * buffer[k].Magnitude;
            MathNet.Numerics.IntegralTransforms.Fourier.Inverse(buffer, MathNet.Numerics.IntegralTransforms.FourierOptions.NoScaling);
            for (int t = 0; t < n; t++) result[t] += buffer[t].Real / size / n;
        }
        for (int t = 0; t < n; t++) result[t] /= chains.Count;
        return result;
    }

    private static double Quantile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static void Validate(IReadOnlyList<double[]> chains, int minChains)
    {
        if (chains.Count < minChains) throw new ArgumentException($"need at least {minChains} chain(s), got {chains.Count}");
        int n = chains[0].Length;
        if (n < 2) throw new ArgumentException("chains need at least 2 draws");
        if (chains.Any(c => c.Length != n)) throw new ArgumentException("chains must have equal lengths");
        if (chains.Any(c => c.Any(v => !double.IsFinite(v)))) throw new ArgumentException("chains hold NaN or Inf draws");
    }
}
