using System.Buffers;

namespace DevInterp.Stages.Costs;

/// <summary>
/// Least-absolute-deviation cost: the sum over the segment's rows and columns of |x_tj − median_j|, the median taken
/// per column over the segment. Detects mean shifts like <see cref="L2Cost"/> but an outlier moves it linearly, not
/// quadratically. A single query sorts the segment's column (O(n log n)); <see cref="CostsTo"/> sweeps the starts
/// of one end with a running median (O(log n) per row).
/// </summary>
public sealed class L1Cost : ISegmentCost
{
    private readonly double[][] _columns;

    private L1Cost(double[][] columns)
    {
        _columns = columns;
        Length = columns[0].Length;
    }

    /// <inheritdoc/>
    public string Name => "l1";

    /// <inheritdoc/>
    public int Length { get; }

    /// <inheritdoc/>
    public int Dimension => _columns.Length;

    /// <summary>1: a single row has cost 0.</summary>
    public int MinSize => 1;

    /// <summary>Fits the cost to a T × d signal (keeps a centred column-major copy).</summary>
    public static L1Cost Fit(double[,] signal)
    {
        Signals.Validate(signal);
        var columns = new double[signal.GetLength(1)][];
        for (int j = 0; j < columns.Length; j++)
        {
            // Centring leaves the cost unchanged and keeps the running sums of CostsTo small.
            columns[j] = Signals.Column(signal, j);
            double mean = columns[j].Average();
            for (int t = 0; t < columns[j].Length; t++) columns[j][t] -= mean;
        }
        return new L1Cost(columns);
    }

    /// <inheritdoc/>
    public double Cost(int start, int end)
    {
        SegmentCheck.Range(this, start, end);
        int n = end - start;
        var rented = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var buffer = rented.AsSpan(0, n);
            double cost = 0;
            foreach (var column in _columns)
            {
                column.AsSpan(start, n).CopyTo(buffer);
                buffer.Sort();
                // Any point between the two middle values minimises Σ|x − m|; the sum is the same for all of them.
                double median = buffer[(n - 1) / 2];
                foreach (double x in buffer) cost += Math.Abs(x - median);
            }
            return cost;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <inheritdoc/>
    public void CostsTo(int end, ReadOnlySpan<int> starts, Span<double> costs)
    {
        if (starts.Length == 0) return;
        SegmentCheck.Range(this, starts[0], end);
        SegmentCheck.Range(this, starts[^1], end);
        costs[..starts.Length].Clear();
        var median = new RunningMedian();
        foreach (var column in _columns)
        {
            // Grow the segment leftwards from end, reading off the cost whenever it reaches a requested start.
            median.Clear();
            int next = starts.Length - 1;
            for (int s = end - 1; s >= starts[0] && next >= 0; s--)
            {
                median.Add(column[s]);
                while (next >= 0 && starts[next] == s) costs[next--] += median.AbsoluteDeviation;
            }
        }
    }
}
