namespace DevInterp.Stages.Trends;

/// <summary>
/// Where a curve has settled: the first checkpoint from which everything the curve still does — the range of its values
/// from there to the end of the run — stays below the smallest change that counts (the noise model's bar), for at least as
/// long (on the run's time axis) as its last change of that size took. After it, no change of the curve could make a
/// stage, by the same rule every break must pass. A curve approaching its final value smoothly (a loss decaying to a
/// floor, an accuracy creeping to its plateau) has no kink to cut at, but it does have this point. The duration
/// condition keeps a curve that is still moving steadily from looking settled only because little of the run is left.
/// </summary>
public static class SettlePoint
{
    /// <summary>
    /// The index of the settle point of <paramref name="values"/> at positions <paramref name="x"/> (strictly increasing):
    /// 0 when the whole curve spans less than <paramref name="bar"/> (it never moved by a stage's worth), null when it has
    /// not settled by the end of the run.
    /// </summary>
    public static int? Find(IReadOnlyList<double> x, IReadOnlyList<double> values, double bar)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(values);
        if (x.Count != values.Count) throw new ArgumentException($"values: {values.Count} values for {x.Count} positions", nameof(values));
        if (!(bar > 0) || !double.IsFinite(bar)) throw new ArgumentOutOfRangeException(nameof(bar), $"bar must be a finite number > 0, got {bar}");
        int n = values.Count;
        if (n < 2) return null;
        // The first index whose suffix spans less than the bar.
        double lo = values[n - 1], hi = values[n - 1];
        int settled = n - 1;
        for (int i = n - 2; i >= 0; i--)
        {
            lo = Math.Min(lo, values[i]);
            hi = Math.Max(hi, values[i]);
            if (hi - lo >= bar) break;
            settled = i;
        }
        if (settled == 0) return 0;
        if (settled == n - 1) return null;
        // The last bar-sized move before it: from the latest earlier value a bar away from the settled one.
        int moved = settled - 1;
        while (moved > 0 && Math.Abs(values[moved] - values[settled]) < bar) moved--;
        return x[n - 1] - x[settled] >= x[settled] - x[moved] ? settled : null;
    }
}
