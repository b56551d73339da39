namespace DevInterp.Stages;

/// <summary>
/// The local maxima of a curve that stand out from it: a rate curve (how fast something changes per checkpoint
/// interval) has one such peak per transition, where a change-point search on it marks both edges of every transition.
/// Prominence follows scipy.signal.peak_prominences: the peak's height above the higher of the two lowest points
/// between it and the nearest strictly higher point on each side (or the curve's end).
/// </summary>
public static class ProminentPeaks
{
    /// <summary>
    /// Indices of the interior local maxima (higher than the previous point, at least the next; the first index of a
    /// flat top) whose prominence is at least <paramref name="minProminence"/>, keeping of two peaks closer than
    /// <paramref name="minDistance"/> indices the higher (the earlier on ties). Ascending. Non-finite values are never peaks
    /// and end the search for a prominence base.
    /// </summary>
    /// <exception cref="ArgumentException">A negative or non-finite <paramref name="minProminence"/>, or <paramref name="minDistance"/> below 1.</exception>
    public static IReadOnlyList<int> Find(IReadOnlyList<double> values, double minProminence, int minDistance = 1)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(minProminence >= 0) || !double.IsFinite(minProminence))
            throw new ArgumentException($"minProminence: expected a finite number ≥ 0, got {minProminence}", nameof(minProminence));
        if (minDistance < 1) throw new ArgumentException($"minDistance: expected at least 1, got {minDistance}", nameof(minDistance));
        var candidates = new List<int>();
        for (int i = 1; i < values.Count - 1; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v) || !(v > values[i - 1]) || !(v >= values[i + 1])) continue;
            if (Prominence(values, i) >= minProminence) candidates.Add(i);
        }
        var kept = new List<int>();
        foreach (int i in candidates.OrderByDescending(i => values[i]).ThenBy(i => i))
            if (kept.All(k => Math.Abs(k - i) >= minDistance)) kept.Add(i);
        kept.Sort();
        return kept;
    }

    /// <summary>The prominence of the point at <paramref name="index"/> (0 for a non-finite value).</summary>
    public static double Prominence(IReadOnlyList<double> values, int index)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, values.Count);
        double v = values[index];
        if (!double.IsFinite(v)) return 0;
        return v - Math.Max(Base(values, index, -1), Base(values, index, +1));
    }

    /// <summary>
    /// The indices of the prominence bases of the point at <paramref name="index"/>: on each side, the lowest point between
    /// it and the nearest strictly higher (or non-finite) point, or the curve's end (scipy's left_bases and right_bases).
    /// </summary>
    public static (int Left, int Right) Bases(IReadOnlyList<double> values, int index)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, values.Count);
        return (BaseIndex(values, index, -1), BaseIndex(values, index, +1));
    }

    private static int BaseIndex(IReadOnlyList<double> values, int index, int direction)
    {
        int lowest = index;
        for (int j = index + direction; j >= 0 && j < values.Count; j += direction)
        {
            double x = values[j];
            if (!double.IsFinite(x) || x > values[index]) break;
            if (x < values[lowest]) lowest = j;
        }
        return lowest;
    }

    // The lowest point between the peak and the nearest strictly higher (or non-finite) point in one direction.
    private static double Base(IReadOnlyList<double> values, int index, int direction)
    {
        double lowest = values[index];
        for (int j = index + direction; j >= 0 && j < values.Count; j += direction)
        {
            double x = values[j];
            if (!double.IsFinite(x) || x > values[index]) break;
            lowest = Math.Min(lowest, x);
        }
        return lowest;
    }
}
