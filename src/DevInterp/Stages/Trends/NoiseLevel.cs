namespace DevInterp.Stages.Trends;

/// <summary>
/// The noise standard deviation of a curve sampled at uneven positions, from the pseudo-residuals of Gasser, Sroka and
/// Jennen-Steinmetz (1986): at each interior point the value minus the straight line through its two neighbours,
/// ε̃ᵢ = aᵢ yᵢ₋₁ + bᵢ yᵢ₊₁ − yᵢ with aᵢ = (xᵢ₊₁ − xᵢ)/(xᵢ₊₁ − xᵢ₋₁), bᵢ = 1 − aᵢ, divided by √(1 + aᵢ² + bᵢ²) so that
/// independent noise of variance σ² gives pseudo-residuals of variance σ². A smooth trend (a straight stretch, a gentle
/// bend) leaves almost nothing. The estimate is the root mean square of the smallest three quarters of them, rescaled to
/// a Gaussian σ (÷ √0.368, the second moment of a standard normal truncated at its 75% two-sided quantile): it ignores the
/// points next to jumps and sharp knees (up to a quarter of them) and is far less variable than the median absolute
/// value on the few dozen checkpoints of a run (40 points of pure noise: spread 0.14σ against 0.2σ).
/// </summary>
public static class NoiseLevel
{
    // E[Z² | |Z| ≤ c] for a standard normal Z, c = Φ⁻¹(7/8) = 1.1503 (the 75% two-sided quantile): 1 − 2cφ(c)/(2Φ(c) − 1).
    private const double TruncatedSecondMoment = 0.36780;

    /// <summary>σ̂ of <paramref name="y"/> at positions <paramref name="x"/> (strictly increasing); 0 with fewer than 3 points.</summary>
    public static double Estimate(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"y: {y.Count} values for {x.Count} positions", nameof(y));
        if (x.Count < 3) return 0;
        var residuals = new double[x.Count - 2];
        for (int i = 1; i + 1 < x.Count; i++)
        {
            double a = (x[i + 1] - x[i]) / (x[i + 1] - x[i - 1]), b = 1 - a;
            residuals[i - 1] = Math.Abs(a * y[i - 1] + b * y[i + 1] - y[i]) / Math.Sqrt(1 + a * a + b * b);
        }
        Array.Sort(residuals);
        int kept = Math.Max(1, (int)Math.Ceiling(0.75 * residuals.Length));
        double sum = 0;
        for (int i = 0; i < kept; i++) sum += residuals[i] * residuals[i];
        return Math.Sqrt(sum / kept / TruncatedSecondMoment);
    }
}
