using DevInterp.Stages.Costs;

namespace DevInterp.Stages.Trends;

/// <summary>
/// Piecewise-linear cost (ruptures' <c>CostLinear</c> with the time coordinate as the one covariate): the residual sum
/// of squares of the least-squares line y = a + b·x through the segment's rows, Σ(y − ȳ)² − (Σ(x − x̄)(y − ȳ))² / Σ(x − x̄)².
/// O(1) per segment from cumulative sums of the globally centred x and y (centring keeps the subtraction from cancelling).
/// Adjacent segments may jump: a step inside one checkpoint interval is a break between two lines.
/// </summary>
public sealed class LinearTrendCost : ISegmentCost
{
    private readonly double[] _x, _y, _xx, _xy, _yy; // cumulative sums, T + 1 each

    private LinearTrendCost(double[] x, double[] y, double[] xx, double[] xy, double[] yy, int length)
    {
        (_x, _y, _xx, _xy, _yy) = (x, y, xx, xy, yy);
        Length = length;
    }

    /// <inheritdoc/>
    public string Name => "linear";

    /// <inheritdoc/>
    public int Length { get; }

    /// <inheritdoc/>
    public int Dimension => 1;

    /// <summary>2: a line needs two rows (and fits them exactly).</summary>
    public int MinSize => 2;

    /// <summary>Fits the cost to values <paramref name="y"/> at positions <paramref name="x"/> (finite, same length).</summary>
    public static LinearTrendCost Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"y: {y.Count} values for {x.Count} positions", nameof(y));
        if (x.Count == 0) throw new ArgumentException("x: the signal is empty", nameof(x));
        for (int i = 0; i < x.Count; i++)
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                throw new ArgumentException($"row {i}: position {x[i]} and value {y[i]} must be finite", nameof(y));
        int n = x.Count;
        double mx = x.Average(), my = y.Average();
        var (sx, sy, sxx, sxy, syy) = (new double[n + 1], new double[n + 1], new double[n + 1], new double[n + 1], new double[n + 1]);
        for (int i = 0; i < n; i++)
        {
            double u = x[i] - mx, v = y[i] - my;
            sx[i + 1] = sx[i] + u;
            sy[i + 1] = sy[i] + v;
            sxx[i + 1] = sxx[i] + u * u;
            sxy[i + 1] = sxy[i] + u * v;
            syy[i + 1] = syy[i] + v * v;
        }
        return new LinearTrendCost(sx, sy, sxx, sxy, syy, n);
    }

    /// <inheritdoc/>
    public double Cost(int start, int end)
    {
        SegmentCheck.Range(this, start, end);
        int n = end - start;
        double x = _x[end] - _x[start], y = _y[end] - _y[start];
        double cxx = _xx[end] - _xx[start] - x * x / n;
        double cxy = _xy[end] - _xy[start] - x * y / n;
        double cyy = _yy[end] - _yy[start] - y * y / n;
        double cost = cxx > 0 ? cyy - cxy * cxy / cxx : cyy;
        return cost > 0 ? cost : 0; // rounding can leave a tiny negative for an exact line
    }
}
