using DevInterp.Stages.Costs;

namespace DevInterp.Stages.Search;

/// <summary>Checks and helpers shared by the search methods.</summary>
internal static class SearchChecks
{
    public static void FitsOneSegment(int length, int minSize)
    {
        if (length < minSize)
            throw new ArgumentException($"signal: {length} rows, fewer than the minimum segment size {minSize}");
    }

    public static void FitsSegments(int length, int minSize, int changePoints)
    {
        if ((long)(changePoints + 1) * minSize > length)
            throw new ArgumentException(
                $"breakpoint count: {changePoints} change points need {changePoints + 1} segments of at least {minSize} rows, but the signal has {length}");
    }

    /// <summary>Sum of segment costs of a segmentation given by its breakpoints (last = T).</summary>
    public static double TotalCost(ISegmentCost cost, IReadOnlyList<int> breakpoints)
    {
        double total = 0;
        int start = 0;
        foreach (int end in breakpoints)
        {
            total += cost.Cost(start, end);
            start = end;
        }
        return total;
    }
}
