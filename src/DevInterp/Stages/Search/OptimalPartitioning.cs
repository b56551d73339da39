using DevInterp.Stages.Costs;

namespace DevInterp.Stages.Search;

/// <summary>
/// Penalised optimal partitioning (Jackson et al. 2005): F(t) = min_s F(s) + C(s, t) + β over the last segment's start
/// s, with optional PELT pruning (Killick, Fearnhead and Eckley 2012). Shared by <see cref="Pelt"/> (pruned) and the
/// penalised mode of <see cref="DynamicProgramming"/> (unpruned).
/// </summary>
internal static class OptimalPartitioning
{
    public static (int[] Breakpoints, double SegmentCost) Solve(ISegmentCost cost, double penalty, int minSize, bool prune)
    {
        int length = cost.Length;
        SearchChecks.FitsOneSegment(length, minSize);

        // F[t] = optimal penalised cost of rows [0, t) with one penalty per change point; F[0] = −β so that the first
        // segment carries no penalty.
        var f = new double[length + 1];
        var last = new int[length + 1];
        f[0] = -penalty;
        var candidates = new int[length + 1];  // usable last-segment starts, ascending
        var segmentCost = new double[length + 1]; // C(candidate, t) for the current t
        var killAt = new int[length + 1];       // first t at which a pruned start stops being usable
        Array.Fill(killAt, int.MaxValue);
        int count = 0, nextKill = int.MaxValue;

        for (int t = minSize; t <= length; t++)
        {
            // s = t − minSize becomes usable now; starts in (0, minSize) are unreachable (their prefix is too short).
            int fresh = t - minSize;
            if (fresh == 0 || fresh >= minSize) candidates[count++] = fresh;
            if (nextKill <= t)
            {
                int kept = 0;
                nextKill = int.MaxValue;
                for (int i = 0; i < count; i++)
                {
                    int s = candidates[i];
                    if (killAt[s] <= t) continue;
                    candidates[kept++] = s;
                    nextKill = Math.Min(nextKill, killAt[s]);
                }
                count = kept;
            }

            double best = double.PositiveInfinity;
            int argBest = -1;
            cost.CostsTo(t, candidates.AsSpan(0, count), segmentCost.AsSpan(0, count));
            for (int i = 0; i < count; i++)
            {
                int s = candidates[i];
                double v = f[s] + segmentCost[i] + penalty;
                if (v < best) { best = v; argBest = s; } // ties go to the earliest start
            }
            f[t] = best;
            last[t] = argBest;

            if (!prune) continue;
            // Killick's rule: if F(s) + C(s, t) > F(t), then for every u ≥ t + minSize splitting at t beats starting the
            // last segment at s (C(s, u) ≥ C(s, t) + C(t, u)). Before t + minSize, t is not yet a usable start, so s
            // is dropped only then. The tolerance keeps candidates whose loss is within rounding.
            double tolerance = 1e-10 * (Math.Abs(best) + 1);
            for (int i = 0; i < count; i++)
            {
                int s = candidates[i];
                if (killAt[s] == int.MaxValue && f[s] + segmentCost[i] > best + tolerance)
                {
                    killAt[s] = t + minSize;
                    nextKill = Math.Min(nextKill, killAt[s]);
                }
            }
        }
        return Backtrack(cost, last, length);
    }

    private static (int[] Breakpoints, double SegmentCost) Backtrack(ISegmentCost cost, int[] last, int length)
    {
        var ends = new List<int>();
        for (int t = length; t > 0; t = last[t]) ends.Add(t);
        ends.Reverse();
        var breakpoints = ends.ToArray();
        return (breakpoints, SearchChecks.TotalCost(cost, breakpoints));
    }
}
