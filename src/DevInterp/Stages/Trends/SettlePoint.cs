namespace DevInterp.Stages.Trends;

/// <summary>
/// Where a curve has settled: the first checkpoint from which everything the curve still does — the range of its values
/// from there to the end of the run — stays below the smallest change that counts (the noise model's bar). After it, no
/// change of the curve could make a stage, by the same rule every break must pass. A curve approaching its final value
/// smoothly (a loss decaying to a floor, an accuracy creeping to its plateau) has no kink to cut at, but it does have
/// this point.
/// </summary>
public static class SettlePoint
{
    /// <summary>
    /// The index of the first value from which the remaining values span less than <paramref name="bar"/>: 0 when the whole
    /// curve does (it never moved by a stage's worth), null when only the last value qualifies (it has not settled).
    /// </summary>
    public static int? Find(IReadOnlyList<double> values, double bar)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(bar > 0) || !double.IsFinite(bar)) throw new ArgumentOutOfRangeException(nameof(bar), $"bar must be a finite number > 0, got {bar}");
        int n = values.Count;
        if (n < 2) return null;
        double lo = values[n - 1], hi = values[n - 1];
        int settled = n - 1;
        for (int i = n - 2; i >= 0; i--)
        {
            lo = Math.Min(lo, values[i]);
            hi = Math.Max(hi, values[i]);
            if (hi - lo >= bar) break;
            settled = i;
        }
        return settled == n - 1 ? null : settled;
    }
}
