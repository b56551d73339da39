namespace DevInterp.Reports;

/// <summary>
/// Thins a long series for plotting without hiding spikes: the points are cut into equal buckets and each bucket keeps
/// its minimum and its maximum (in order), so a divergence or a stuck chain stays visible at any zoom level.
/// </summary>
public static class Downsample
{
    /// <summary>
    /// The indices of the points to keep from <paramref name="values"/> (non-finite values are never kept): all finite
    /// points when there are at most <paramref name="maxPoints"/>, otherwise each bucket's minimum and maximum.
    /// </summary>
    public static int[] MinMax(IReadOnlyList<double> values, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (maxPoints < 2) throw new ArgumentOutOfRangeException(nameof(maxPoints), $"maxPoints is {maxPoints}; at least 2 are needed (a minimum and a maximum per bucket)");
        var finite = Enumerable.Range(0, values.Count).Where(i => double.IsFinite(values[i])).ToArray();
        if (finite.Length <= maxPoints) return finite;
        int buckets = maxPoints / 2;
        var keep = new List<int>(buckets * 2);
        for (int b = 0; b < buckets; b++)
        {
            int start = (int)((long)b * finite.Length / buckets), end = (int)((long)(b + 1) * finite.Length / buckets);
            if (end <= start) continue;
            int lo = finite[start], hi = finite[start];
            for (int k = start + 1; k < end; k++)
            {
                int i = finite[k];
                if (values[i] < values[lo]) lo = i;
                if (values[i] > values[hi]) hi = i;
            }
            if (lo == hi) keep.Add(lo);
            else { keep.Add(Math.Min(lo, hi)); keep.Add(Math.Max(lo, hi)); }
        }
        return keep.ToArray();
    }
}
