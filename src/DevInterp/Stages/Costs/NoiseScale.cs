namespace DevInterp.Stages.Costs;

/// <summary>
/// Robust estimate of the noise standard deviation of each dimension of a signal, the usual one in change-point
/// detection: the median absolute deviation of the first differences, scaled to a Gaussian σ (× 1.4826) and divided
/// by √2 (a difference of two independent noises has variance 2σ²). Differencing removes the piecewise-constant mean;
/// the median ignores the few differences that straddle a change.
/// </summary>
public static class NoiseScale
{
    private const double MadToSigma = 1.482602218505602; // 1 / Φ⁻¹(3/4)

    /// <summary>
    /// σ̂ of each column. When more than half of the differences are equal (quantised or noiseless signals) the MAD is
    /// 0; the mean absolute deviation of the differences × √π / 2 (Gaussian-consistent: E|Δ| = 2σ/√π) is used instead, which is 0 only
    /// for a constant column.
    /// </summary>
    public static double[] Estimate(double[,] signal)
    {
        Signals.Validate(signal);
        int length = signal.GetLength(0), dimension = signal.GetLength(1);
        var sigma = new double[dimension];
        if (length < 2) return sigma;
        var diff = new double[length - 1];
        for (int j = 0; j < dimension; j++)
        {
            for (int t = 0; t + 1 < length; t++) diff[t] = signal[t + 1, j] - signal[t, j];
            sigma[j] = Estimate(diff);
        }
        return sigma;
    }

    /// <summary>σ̂ from an array of first differences (see <see cref="Estimate(double[,])"/>).</summary>
    internal static double Estimate(double[] differences)
    {
        double center = Median(differences);
        var deviation = differences.Select(x => Math.Abs(x - center)).ToArray();
        double mad = Median(deviation);
        if (mad > 0) return MadToSigma * mad / Math.Sqrt(2);
        double meanAbs = deviation.Average();
        return meanAbs * Math.Sqrt(Math.PI) / 2; // E|Δ| = 2σ/√π for Δ ~ N(0, 2σ²)
    }

    /// <summary>Median of a copy of the values (mean of the two middle values for an even count).</summary>
    internal static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
