using DevInterp.Stages.Costs;

namespace DevInterp.Stages.Search;

/// <summary>
/// Exact dynamic programming (Bellman's segment neighbourhood; Auger and Lawrence 1989): with a count K, the
/// partition into K + 1 segments of at least the minimum size with the smallest total cost, in O(K·T²) additions and
/// T²/2 cost evaluations (each segment's cost is computed once). With a penalty it runs optimal partitioning without
/// pruning (O(T²)), the reference <see cref="Pelt"/> must agree with. Meant for T up to a few thousand.
/// </summary>
public sealed class DynamicProgramming(SearchOptions? options = null) : IChangePointSearch
{
    private readonly SearchOptions _options = options ?? SearchOptions.Default;

    /// <inheritdoc/>
    public string Name => "dynp";

    /// <inheritdoc/>
    public ChangePointResult Predict(ISegmentCost cost, StopRule stop)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(stop);
        int minSize = _options.EffectiveMinSize(cost);
        int[] breakpoints;
        double total;
        if (stop.Penalty is { } penalty)
            (breakpoints, total) = OptimalPartitioning.Solve(cost, penalty, minSize, prune: false);
        else
            (breakpoints, total) = ByCount(cost, stop.BreakpointCount!.Value, minSize);
        return new ChangePointResult(breakpoints, total, stop, Name, cost.Name, minSize);
    }

    private static (int[] Breakpoints, double SegmentCost) ByCount(ISegmentCost cost, int changePoints, int minSize)
    {
        int length = cost.Length;
        SearchChecks.FitsOneSegment(length, minSize);
        SearchChecks.FitsSegments(length, minSize, changePoints);
        int segments = changePoints + 1;

        // best[k][t]: least cost of rows [0, t) in k + 1 segments; from[k][t]: start of its last segment.
        var best = new double[segments][];
        var from = new int[segments][];
        for (int k = 0; k < segments; k++)
        {
            best[k] = new double[length + 1];
            Array.Fill(best[k], double.PositiveInfinity);
            from[k] = new int[length + 1];
        }
        var row = new double[length + 1]; // C(s, t) for the current t, indexed by s
        var startBuffer = new int[length + 1];
        var costBuffer = new double[length + 1];
        for (int t = minSize; t <= length; t++)
        {
            // k + 1 segments end at t only if the remaining K − k segments still fit after t.
            int kMax = Math.Min(segments - 1, t / minSize - 1);
            int kMin = Math.Max(0, segments - 1 - (length - t) / minSize);
            if (kMin > kMax) continue;
            int sMax = t - minSize;
            int starts = 0;
            if (kMin == 0) startBuffer[starts++] = 0;
            for (int s = Math.Max(minSize, kMin * minSize); s <= sMax; s++) startBuffer[starts++] = s;
            cost.CostsTo(t, startBuffer.AsSpan(0, starts), costBuffer.AsSpan(0, starts));
            for (int i = 0; i < starts; i++) row[startBuffer[i]] = costBuffer[i];

            if (kMin == 0)
            {
                best[0][t] = row[0];
                from[0][t] = 0;
            }
            for (int k = Math.Max(kMin, 1); k <= kMax; k++)
            {
                double bestValue = double.PositiveInfinity;
                int bestStart = -1;
                for (int s = k * minSize; s <= sMax; s++)
                {
                    double v = best[k - 1][s] + row[s];
                    if (v < bestValue) { bestValue = v; bestStart = s; } // ties go to the earliest start
                }
                best[k][t] = bestValue;
                from[k][t] = bestStart;
            }
        }

        var ends = new int[segments];
        for (int k = segments - 1, t = length; k >= 0; k--)
        {
            ends[k] = t;
            t = from[k][t];
        }
        return (ends, SearchChecks.TotalCost(cost, ends));
    }
}
