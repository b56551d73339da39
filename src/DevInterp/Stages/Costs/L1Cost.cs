using System.Buffers;

namespace DevInterp.Stages.Costs;

/// <summary>
/// Least-absolute-deviation cost: the sum over the segment's rows and columns of |x_tj − median_j|, the median taken
/// per column over the segment. Detects mean shifts like <see cref="L2Cost"/> but an outlier moves it linearly, not
/// quadratically. Each query sorts the segment's column (O(n log n)); fine for checkpoint-length signals.
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

    /// <summary>Fits the cost to a T × d signal (keeps a column-major copy).</summary>
    public static L1Cost Fit(double[,] signal)
    {
        Signals.Validate(signal);
        var columns = new double[signal.GetLength(1)][];
        for (int j = 0; j < columns.Length; j++) columns[j] = Signals.Column(signal, j);
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
}
