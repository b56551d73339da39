namespace DevInterp.Stages.LlcCurve;

/// <summary>
/// Gaussian-kernel local-linear regression of values on a sorted axis (here log step): at each point x₀ a straight
/// line is fitted by least squares with weights exp(−(x − x₀)²/2h²); its value is the smoothed curve and its slope the
/// derivative. Unlike a plain kernel average, the local line has no bias towards flat at the ends of the run, where
/// the slope matters most for the first and last stage.
/// </summary>
public static class LocalLinearSmoother
{
    private const double Reach = 5; // weights beyond 5 bandwidths (< 4·10⁻⁶) are skipped

    /// <summary>
    /// Smoothed values and slopes at every point of <paramref name="x"/> (strictly increasing). The bandwidth at
    /// each point is max(h, distance to its second-nearest neighbour), so at least three points carry weight.
    /// SlopeErrors are the standard errors of the slopes for independent noise of unit variance,
    /// √(Σ w²(x − x̄)²) / Σ w(x − x̄)² (weighted least squares); multiply by the noise σ.
    /// </summary>
    public static (double[] Smoothed, double[] Slopes, double[] SlopeErrors) Fit(
        IReadOnlyList<double> x, IReadOnlyList<double> values, double bandwidth)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(values);
        int n = x.Count;
        if (values.Count != n) throw new ArgumentException($"values: {values.Count} values for {n} positions", nameof(values));
        if (n < 3) throw new ArgumentException($"x: need at least 3 points for a local slope, got {n}", nameof(x));
        if (!(bandwidth > 0) || !double.IsFinite(bandwidth))
            throw new ArgumentOutOfRangeException(nameof(bandwidth), $"bandwidth must be a positive finite number, got {bandwidth}");
        for (int i = 1; i < n; i++)
            if (!(x[i] > x[i - 1])) throw new ArgumentException($"x: positions must be strictly increasing; entry {i} is {x[i]} after {x[i - 1]}", nameof(x));

        var smoothed = new double[n];
        var slopes = new double[n];
        var errors = new double[n];
        int lo = 0;
        for (int i = 0; i < n; i++)
        {
            double h = Math.Max(bandwidth, SecondNeighbourDistance(x, i));
            double x0 = x[i];
            // The adaptive bandwidth can widen from one point to the next, so the window start moves both ways.
            while (lo > 0 && x[lo - 1] >= x0 - Reach * h) lo--;
            while (x[lo] < x0 - Reach * h) lo++;
            double sw = 0, swx = 0, swv = 0;
            int hi = lo;
            for (; hi < n && x[hi] <= x0 + Reach * h; hi++)
            {
                double dx = x[hi] - x0, w = Math.Exp(-dx * dx / (2 * h * h));
                sw += w;
                swx += w * dx;
                swv += w * values[hi];
            }
            double meanX = swx / sw, meanV = swv / sw, sxx = 0, sxv = 0, swwxx = 0;
            for (int j = lo; j < hi; j++)
            {
                double dx = x[j] - x0, w = Math.Exp(-dx * dx / (2 * h * h));
                sxx += w * (dx - meanX) * (dx - meanX);
                sxv += w * (dx - meanX) * (values[j] - meanV);
                swwxx += w * w * (dx - meanX) * (dx - meanX);
            }
            slopes[i] = sxx > 0 ? sxv / sxx : 0;
            errors[i] = sxx > 0 ? Math.Sqrt(swwxx) / sxx : double.PositiveInfinity;
            smoothed[i] = meanV - slopes[i] * meanX; // the local line evaluated at x₀ (dx = 0)
        }
        return (smoothed, slopes, errors);
    }

    private static double SecondNeighbourDistance(IReadOnlyList<double> x, int i)
    {
        // The two nearest other points lie among the two on each side.
        var distances = new List<double>(4);
        for (int j = Math.Max(0, i - 2); j <= Math.Min(x.Count - 1, i + 2); j++)
            if (j != i) distances.Add(Math.Abs(x[j] - x[i]));
        distances.Sort();
        return distances[1];
    }
}
