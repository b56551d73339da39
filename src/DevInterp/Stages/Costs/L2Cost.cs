namespace DevInterp.Stages.Costs;

/// <summary>
/// Least-squares cost: the sum over the segment's rows of the squared distance to the segment mean,
/// Σ‖x_t − x̄‖² = Σ‖x_t‖² − ‖Σx_t‖²/n. O(1) per segment from cumulative sums (of the column-centred signal, which
/// keeps the subtraction from cancelling when the signal sits far from zero).
/// </summary>
public sealed class L2Cost : ISegmentCost
{
    private readonly double[] _sum;    // (T + 1) × d cumulative sums of the centred rows
    private readonly double[] _sumSq;  // T + 1 cumulative sums of the squared norms

    private L2Cost(double[] sum, double[] sumSq, int length, int dimension)
    {
        _sum = sum;
        _sumSq = sumSq;
        Length = length;
        Dimension = dimension;
    }

    /// <inheritdoc/>
    public string Name => "l2";

    /// <inheritdoc/>
    public int Length { get; }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>1: a single row has cost 0.</summary>
    public int MinSize => 1;

    /// <summary>Fits the cost to a T × d signal.</summary>
    public static L2Cost Fit(double[,] signal)
    {
        Signals.Validate(signal);
        int length = signal.GetLength(0), dimension = signal.GetLength(1);
        var mean = new double[dimension];
        for (int t = 0; t < length; t++)
            for (int j = 0; j < dimension; j++) mean[j] += signal[t, j];
        for (int j = 0; j < dimension; j++) mean[j] /= length;

        var sum = new double[(length + 1) * dimension];
        var sumSq = new double[length + 1];
        for (int t = 0; t < length; t++)
        {
            double sq = 0;
            for (int j = 0; j < dimension; j++)
            {
                double x = signal[t, j] - mean[j];
                sum[(t + 1) * dimension + j] = sum[t * dimension + j] + x;
                sq += x * x;
            }
            sumSq[t + 1] = sumSq[t] + sq;
        }
        return new L2Cost(sum, sumSq, length, dimension);
    }

    /// <inheritdoc/>
    public double Cost(int start, int end)
    {
        SegmentCheck.Range(this, start, end);
        int d = Dimension, n = end - start;
        double between = 0;
        for (int j = 0; j < d; j++)
        {
            double s = _sum[end * d + j] - _sum[start * d + j];
            between += s * s;
        }
        double cost = _sumSq[end] - _sumSq[start] - between / n;
        return cost > 0 ? cost : 0; // rounding can leave a tiny negative for constant segments
    }

    /// <inheritdoc/>
    public void CostsTo(int end, ReadOnlySpan<int> starts, Span<double> costs)
    {
        if (starts.Length == 0) return;
        SegmentCheck.Range(this, starts[0], end);
        SegmentCheck.Range(this, starts[^1], end);
        int d = Dimension;
        if (d == 1)
        {
            double sumEnd = _sum[end], sqEnd = _sumSq[end];
            for (int i = 0; i < starts.Length; i++)
            {
                int s = starts[i];
                double total = _sum[s] - sumEnd;
                double cost = sqEnd - _sumSq[s] - total * total / (end - s);
                costs[i] = cost > 0 ? cost : 0;
            }
            return;
        }
        for (int i = 0; i < starts.Length; i++)
        {
            int s = starts[i];
            double between = 0;
            for (int j = 0; j < d; j++)
            {
                double total = _sum[end * d + j] - _sum[s * d + j];
                between += total * total;
            }
            double cost = _sumSq[end] - _sumSq[s] - between / (end - s);
            costs[i] = cost > 0 ? cost : 0;
        }
    }
}
