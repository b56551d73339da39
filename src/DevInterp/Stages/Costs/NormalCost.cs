namespace DevInterp.Stages.Costs;

/// <summary>
/// Gaussian cost: n·log det(Σ̂ + R) for a segment of n rows, where Σ̂ is the segment's maximum-likelihood covariance
/// (around the segment mean) and R = diag(r·s_j²) a small ridge. Up to a constant per row that is the same for every
/// segmentation, this is −2 × the maximised Gaussian log-likelihood, so it detects changes of mean and of covariance.
/// The ridge keeps short or locally constant segments from reaching log 0 = −∞; its scale s_j is the robust noise
/// level of column j (<see cref="NoiseScale"/>), or the column's standard deviation when that is 0, or 1 for a
/// constant column. O(d²) per segment from cumulative sums of x and x xᵀ, plus a Cholesky factorisation (O(d³)).
/// </summary>
public sealed class NormalCost : ISegmentCost
{
    private const long MaxCumulativeEntries = 1L << 24; // above this, compute each segment directly instead

    private readonly double[,] _centred;  // the signal minus its column means
    private readonly double[]? _sum;      // (T + 1) × d cumulative sums, or null for the direct path
    private readonly double[]? _sumOuter; // (T + 1) × d(d+1)/2 cumulative sums of x_i x_j (i ≤ j)
    private readonly double[] _ridge;

    private NormalCost(double[,] centred, double[]? sum, double[]? sumOuter, double[] ridge)
    {
        _centred = centred;
        _sum = sum;
        _sumOuter = sumOuter;
        _ridge = ridge;
        Length = centred.GetLength(0);
        Dimension = centred.GetLength(1);
    }

    /// <inheritdoc/>
    public string Name => "normal";

    /// <inheritdoc/>
    public int Length { get; }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>2: a covariance needs two rows. Short segments still fit noise too well; prefer a minimum segment size above d.</summary>
    public int MinSize => 2;

    /// <summary>The ridge added to the diagonal of every segment covariance, per column.</summary>
    public IReadOnlyList<double> Ridge => _ridge;

    /// <summary>Fits the cost to a T × d signal.</summary>
    /// <param name="signal">The signal.</param>
    /// <param name="relativeRidge">r in R = diag(r·s_j²); must be positive.</param>
    public static NormalCost Fit(double[,] signal, double relativeRidge = CostOptions.DefaultNormalRidge)
    {
        Signals.Validate(signal);
        if (!(relativeRidge > 0) || !double.IsFinite(relativeRidge))
            throw new ArgumentOutOfRangeException(nameof(relativeRidge), $"normal cost: relative ridge must be a positive finite number, got {relativeRidge}");
        int length = signal.GetLength(0), d = signal.GetLength(1);

        var centred = new double[length, d];
        var std = new double[d];
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int t = 0; t < length; t++) mean += signal[t, j];
            mean /= length;
            double ss = 0;
            for (int t = 0; t < length; t++)
            {
                centred[t, j] = signal[t, j] - mean;
                ss += centred[t, j] * centred[t, j];
            }
            std[j] = Math.Sqrt(ss / length);
        }

        var noise = NoiseScale.Estimate(signal);
        var ridge = new double[d];
        for (int j = 0; j < d; j++)
        {
            double scale = noise[j] > 0 ? noise[j] : std[j] > 0 ? std[j] : 1.0;
            ridge[j] = relativeRidge * scale * scale;
        }

        int pairs = d * (d + 1) / 2;
        if ((long)(length + 1) * (pairs + d) > MaxCumulativeEntries) return new NormalCost(centred, null, null, ridge);

        var sum = new double[(length + 1) * d];
        var sumOuter = new double[(length + 1) * pairs];
        for (int t = 0; t < length; t++)
        {
            for (int j = 0; j < d; j++) sum[(t + 1) * d + j] = sum[t * d + j] + centred[t, j];
            int p = 0;
            for (int i = 0; i < d; i++)
                for (int j = i; j < d; j++, p++)
                    sumOuter[(t + 1) * pairs + p] = sumOuter[t * pairs + p] + centred[t, i] * centred[t, j];
        }
        return new NormalCost(centred, sum, sumOuter, ridge);
    }

    /// <inheritdoc/>
    public double Cost(int start, int end)
    {
        SegmentCheck.Range(this, start, end);
        int d = Dimension, n = end - start;
        var cov = new double[d, d];
        if (_sum is not null && _sumOuter is not null)
        {
            int pairs = d * (d + 1) / 2, p = 0;
            for (int i = 0; i < d; i++)
            {
                double si = _sum[end * d + i] - _sum[start * d + i];
                for (int j = i; j < d; j++, p++)
                {
                    double sj = _sum[end * d + j] - _sum[start * d + j];
                    double sij = _sumOuter[end * pairs + p] - _sumOuter[start * pairs + p];
                    cov[i, j] = cov[j, i] = (sij - si * sj / n) / n;
                }
            }
        }
        else
        {
            var mean = new double[d];
            for (int t = start; t < end; t++)
                for (int j = 0; j < d; j++) mean[j] += _centred[t, j];
            for (int j = 0; j < d; j++) mean[j] /= n;
            for (int t = start; t < end; t++)
                for (int i = 0; i < d; i++)
                    for (int j = i; j < d; j++)
                        cov[i, j] += (_centred[t, i] - mean[i]) * (_centred[t, j] - mean[j]);
            for (int i = 0; i < d; i++)
                for (int j = i; j < d; j++) cov[j, i] = cov[i, j] /= n;
        }
        for (int j = 0; j < d; j++) cov[j, j] = Math.Max(cov[j, j], 0) + _ridge[j];
        return n * LogDeterminant(cov, _ridge.Min());
    }

    /// <summary>
    /// log det of a symmetric positive-definite matrix by Cholesky (overwrites its lower triangle). Every pivot of
    /// Σ̂ + R is at least the smallest ridge entry, so a pivot that rounding pushes below it is clamped there.
    /// </summary>
    private static double LogDeterminant(double[,] a, double minPivot)
    {
        int d = a.GetLength(0);
        double logDet = 0;
        for (int j = 0; j < d; j++)
        {
            double diag = a[j, j];
            for (int k = 0; k < j; k++) diag -= a[j, k] * a[j, k];
            if (diag < minPivot) diag = minPivot;
            double l = Math.Sqrt(diag);
            a[j, j] = l;
            logDet += 2 * Math.Log(l);
            for (int i = j + 1; i < d; i++)
            {
                double v = a[i, j];
                for (int k = 0; k < j; k++) v -= a[i, k] * a[j, k];
                a[i, j] = v / l;
            }
        }
        return logDet;
    }
}
