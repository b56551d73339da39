namespace DevInterp.Stages.Metrics;

/// <summary>
/// Metrics comparing two segmentations of the same T rows, each given as breakpoints in the ruptures convention
/// (sorted segment ends, the last one T; see <see cref="Search.ChangePointResult"/>). Definitions follow ruptures'
/// <c>precision_recall</c>, <c>hausdorff</c> and <c>randindex</c>, so numbers are comparable with papers using it.
/// </summary>
public static class BreakpointMetrics
{
    /// <summary>
    /// Precision and recall with a margin, as ruptures defines them. The final index T is excluded from both lists.
    /// True and found change points are visited in the order (true ascending, then found ascending); a pair with
    /// |true − found| &lt; <paramref name="margin"/> (strictly) counts when that found point has not been used yet, and
    /// uses it. A true change point is detected when at least one pair counts for it. So every found point is matched
    /// at most once; as in ruptures, one true point can use up several found points within its margin.
    /// Precision = detected / found, recall = detected / true, each 0 when its denominator is 0.
    /// </summary>
    public static PrecisionRecall PrecisionRecall(IReadOnlyList<int> trueBreakpoints, IReadOnlyList<int> foundBreakpoints, int margin = 10)
    {
        Check(trueBreakpoints, foundBreakpoints);
        if (margin <= 0) throw new ArgumentOutOfRangeException(nameof(margin), $"margin must be > 0, got {margin}");
        int actual = trueBreakpoints.Count - 1, found = foundBreakpoints.Count - 1;
        var used = new bool[found];
        int detected = 0;
        for (int i = 0; i < actual; i++)
        {
            bool hit = false;
            for (int j = 0; j < found; j++)
            {
                if (used[j] || Math.Abs(trueBreakpoints[i] - foundBreakpoints[j]) >= margin) continue;
                used[j] = true;
                hit = true;
            }
            if (hit) detected++;
        }
        return new PrecisionRecall(
            found == 0 ? 0 : (double)detected / found, actual == 0 ? 0 : (double)detected / actual, detected, found, actual);
    }

    /// <summary>
    /// Hausdorff distance between the change points (final T excluded): the largest distance from a change point of
    /// either list to the nearest one of the other. 0 when both lists are empty, +∞ when exactly one is.
    /// </summary>
    public static double Hausdorff(IReadOnlyList<int> breakpoints1, IReadOnlyList<int> breakpoints2)
    {
        Check(breakpoints1, breakpoints2);
        int n1 = breakpoints1.Count - 1, n2 = breakpoints2.Count - 1;
        if (n1 == 0 && n2 == 0) return 0;
        if (n1 == 0 || n2 == 0) return double.PositiveInfinity;
        return Math.Max(Directed(breakpoints1, n1, breakpoints2, n2), Directed(breakpoints2, n2, breakpoints1, n1));
    }

    private static double Directed(IReadOnlyList<int> from, int nFrom, IReadOnlyList<int> to, int nTo)
    {
        long worst = 0;
        for (int i = 0; i < nFrom; i++)
        {
            long nearest = long.MaxValue;
            for (int j = 0; j < nTo; j++) nearest = Math.Min(nearest, Math.Abs((long)from[i] - to[j]));
            worst = Math.Max(worst, nearest);
        }
        return worst;
    }

    /// <summary>
    /// Rand index of the two segmentations seen as partitions of the T rows: the fraction of the T(T−1)/2 pairs of
    /// rows on which they agree (both in one segment, or both split). 1 for identical segmentations. Computed from the
    /// overlaps n_ij of segment i of the first and segment j of the second: disagreeing pairs =
    /// (Σ a_i² + Σ b_j² − 2 Σ n_ij²)/2 with a_i, b_j the segment lengths. Defined as 1 for T = 1.
    /// </summary>
    public static double RandIndex(IReadOnlyList<int> breakpoints1, IReadOnlyList<int> breakpoints2)
    {
        Check(breakpoints1, breakpoints2);
        long length = breakpoints1[^1];
        if (length < 2) return 1;
        double squares1 = SumOfSquaredLengths(breakpoints1), squares2 = SumOfSquaredLengths(breakpoints2);
        // Overlaps of two sorted interval lists by a merge walk.
        double overlaps = 0;
        int i = 0, j = 0;
        long start = 0;
        while (i < breakpoints1.Count && j < breakpoints2.Count)
        {
            long end = Math.Min(breakpoints1[i], breakpoints2[j]);
            overlaps += (double)(end - start) * (end - start);
            start = end;
            if (breakpoints1[i] == end) i++;
            if (breakpoints2[j] == end) j++;
        }
        double disagreements = (squares1 + squares2 - 2 * overlaps) / 2;
        return 1 - disagreements / (length * (length - 1) / 2.0);
    }

    private static double SumOfSquaredLengths(IReadOnlyList<int> breakpoints)
    {
        double sum = 0;
        long start = 0;
        foreach (int end in breakpoints)
        {
            sum += (double)(end - start) * (end - start);
            start = end;
        }
        return sum;
    }

    /// <summary>ruptures' sanity check: non-empty, strictly increasing, positive, same final T.</summary>
    private static void Check(IReadOnlyList<int> first, IReadOnlyList<int> second)
    {
        CheckOne(first, nameof(first));
        CheckOne(second, nameof(second));
        if (first[^1] != second[^1])
            throw new ArgumentException($"breakpoints: the two segmentations end at different lengths ({first[^1]} and {second[^1]}); the last breakpoint must be T in both");
    }

    private static void CheckOne(IReadOnlyList<int> breakpoints, string name)
    {
        ArgumentNullException.ThrowIfNull(breakpoints, name);
        if (breakpoints.Count == 0) throw new ArgumentException($"{name}: breakpoints must end with T; got an empty list", name);
        for (int k = 0; k < breakpoints.Count; k++)
            if (breakpoints[k] <= (k == 0 ? 0 : breakpoints[k - 1]))
                throw new ArgumentException($"{name}: breakpoints must be positive and strictly increasing; entry {k} is {breakpoints[k]}", name);
    }
}
