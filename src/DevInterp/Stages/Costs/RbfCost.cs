namespace DevInterp.Stages.Costs;

/// <summary>
/// Kernel cost with the Gaussian (RBF) kernel k(x, y) = exp(−γ‖x − y‖²): for a segment of n rows,
/// Σ k(x_t, x_t) − (1/n) Σ_s Σ_t k(x_s, x_t) = n − (1/n)·(sum of the segment's Gram block), the squared distance of the
/// rows' feature maps to their mean in the kernel's feature space. It detects changes of the whole distribution, not
/// only of the mean. O(1) per segment from a 2-D cumulative sum of the Gram matrix, which costs (T + 1)² doubles of
/// memory, hence the length limit.
/// </summary>
public sealed class RbfCost : ISegmentCost
{
    /// <summary>Longest signal accepted: the cumulative Gram matrix of 4,096 rows takes 128 MiB.</summary>
    public const int MaxLength = 4096;

    private readonly double[] _prefix; // (T + 1)², prefix[a·(T+1) + b] = Σ_{s<a, t<b} K_st
    private readonly double[] _adjacentDissimilarity;

    private RbfCost(double[] prefix, int length, int dimension, double gamma, double[] adjacent)
    {
        _prefix = prefix;
        Length = length;
        Dimension = dimension;
        Gamma = gamma;
        _adjacentDissimilarity = adjacent;
    }

    /// <inheritdoc/>
    public string Name => "rbf";

    /// <inheritdoc/>
    public int Length { get; }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>1: a single row has cost 0.</summary>
    public int MinSize => 1;

    /// <summary>The kernel's γ (given, or 1 / median squared distance).</summary>
    public double Gamma { get; }

    /// <summary>
    /// Mean over consecutive rows of 1 − k(x_t, x_{t+1}), half the squared feature-space distance between neighbours.
    /// For independent rows from one distribution its expectation is 1 − E k(X, X′), the expected cost per row, the
    /// kernel analogue of the noise variance (used by <see cref="DefaultPenalty"/>). The kernel is bounded, so the few
    /// pairs that straddle a change move it by at most (number of changes)/(T − 1).
    /// </summary>
    public double MeanAdjacentDissimilarity => _adjacentDissimilarity.Length == 0 ? 0 : _adjacentDissimilarity.Average();

    /// <summary>
    /// Fits the cost to a T × d signal. With <paramref name="gamma"/> null, γ = 1 / median of the squared distances
    /// between distinct rows (the median heuristic), taken over the non-zero distances when more than half are zero
    /// (a signal with few distinct values), and 1 when all rows are equal.
    /// </summary>
    public static RbfCost Fit(double[,] signal, double? gamma = null)
    {
        Signals.Validate(signal);
        int length = signal.GetLength(0), d = signal.GetLength(1);
        if (length > MaxLength)
            throw new ArgumentException($"rbf cost: signal has {length} rows; the cumulative Gram matrix is limited to {MaxLength} rows", nameof(signal));
        if (gamma is { } g && (!(g > 0) || !double.IsFinite(g)))
            throw new ArgumentOutOfRangeException(nameof(gamma), $"rbf cost: gamma must be a positive finite number, got {g}");

        double gammaUsed = gamma ?? MedianHeuristic(signal);

        // Row-wise cumulative sums of the Gram matrix, then cumulative down the rows; distances are recomputed here
        // rather than stored, to keep the peak memory at one (T + 1)² array.
        int w = length + 1;
        var prefix = new double[w * w];
        for (int s = 0; s < length; s++)
        {
            double row = 0;
            for (int t = 0; t < length; t++)
            {
                row += Math.Exp(-gammaUsed * SquaredDistance(signal, s, t));
                prefix[(s + 1) * w + t + 1] = prefix[s * w + t + 1] + row;
            }
        }
        var adjacent = new double[Math.Max(length - 1, 0)];
        for (int t = 0; t + 1 < length; t++) adjacent[t] = 1 - Math.Exp(-gammaUsed * SquaredDistance(signal, t, t + 1));
        return new RbfCost(prefix, length, d, gammaUsed, adjacent);
    }

    private static double SquaredDistance(double[,] signal, int s, int t)
    {
        double sq = 0;
        for (int j = 0; j < signal.GetLength(1); j++)
        {
            double diff = signal[s, j] - signal[t, j];
            sq += diff * diff;
        }
        return sq;
    }

    private static double MedianHeuristic(double[,] signal)
    {
        int length = signal.GetLength(0);
        var upper = new double[(long)length * (length - 1) / 2];
        long k = 0;
        for (int s = 0; s < length; s++)
            for (int t = s + 1; t < length; t++) upper[k++] = SquaredDistance(signal, s, t);
        if (upper.Length == 0) return 1.0;
        double median = NoiseScale.Median(upper);
        if (median > 0) return 1 / median;
        var nonZero = upper.Where(x => x > 0).ToArray();
        return nonZero.Length == 0 ? 1.0 : 1 / NoiseScale.Median(nonZero);
    }

    /// <inheritdoc/>
    public double Cost(int start, int end)
    {
        SegmentCheck.Range(this, start, end);
        int w = Length + 1, n = end - start;
        double block = _prefix[end * w + end] - _prefix[start * w + end] - _prefix[end * w + start] + _prefix[start * w + start];
        double cost = n - block / n;
        return cost > 0 ? cost : 0;
    }
}
