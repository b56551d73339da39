namespace DevInterp.Stages.Trends;

/// <summary>
/// The noise standard deviation of a curve sampled at uneven positions, from the pseudo-residuals of Gasser, Sroka and
/// Jennen-Steinmetz (1986): at each interior point the value minus the straight line through its two neighbours,
/// ε̃ᵢ = aᵢ yᵢ₋₁ + bᵢ yᵢ₊₁ − yᵢ with aᵢ = (xᵢ₊₁ − xᵢ)/(xᵢ₊₁ − xᵢ₋₁), bᵢ = 1 − aᵢ, divided by √(1 + aᵢ² + bᵢ²) so that
/// independent noise of variance σ² gives pseudo-residuals of variance σ². A smooth trend (a straight stretch, a gentle
/// bend) leaves almost nothing; the median absolute value (× 1.4826) ignores the few points next to a jump or a sharp
/// knee. When more than half are zero (a quantised or noiseless curve) the mean absolute value × √(π/2) is used, which is
/// 0 only for a curve that is exactly piecewise linear.
/// </summary>
public static class NoiseLevel
{
    private const double MadToSigma = 1.482602218505602;

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
        double median = Costs.NoiseScale.Median(residuals);
        return median > 0 ? MadToSigma * median : residuals.Average() * Math.Sqrt(Math.PI / 2);
    }
}
