using DevInterp.Stages.Costs;

namespace DevInterp.Stages.Search;

/// <summary>
/// Binary segmentation (greedy, approximate): repeatedly split the segment whose best single split lowers the total
/// cost the most, at that split. Stops after the requested number of change points, or — with a penalty — when the
/// best remaining gain is not larger than the penalty. O(T) cost evaluations per change point. With a count it can
/// return fewer change points when earlier splits left no segment of at least twice the minimum size.
/// </summary>
public sealed class BinarySegmentation(SearchOptions? options = null) : IChangePointSearch
{
    private readonly SearchOptions _options = options ?? SearchOptions.Default;

    /// <inheritdoc/>
    public string Name => "binseg";

    /// <inheritdoc/>
    public ChangePointResult Predict(ISegmentCost cost, StopRule stop)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(stop);
        int minSize = _options.EffectiveMinSize(cost);
        int length = cost.Length;
        SearchChecks.FitsOneSegment(length, minSize);
        if (stop.BreakpointCount is { } wanted) SearchChecks.FitsSegments(length, minSize, wanted);

        var open = new List<Split> { BestSplit(cost, 0, length, minSize) };
        var breakpoints = new SortedSet<int> { length };
        while (stop.BreakpointCount is not { } k || breakpoints.Count - 1 < k)
        {
            // The segment whose split gains most; ties go to the earliest segment.
            Split? best = null;
            foreach (var split in open)
                if (split.Position >= 0 && (best is null || split.Gain > best.Gain)) best = split;
            if (best is null) break;
            if (stop.Penalty is { } penalty && !(best.Gain > penalty)) break;

            breakpoints.Add(best.Position);
            open.Remove(best);
            open.Add(BestSplit(cost, best.Start, best.Position, minSize));
            open.Add(BestSplit(cost, best.Position, best.End, minSize));
            open.Sort((a, b) => a.Start.CompareTo(b.Start));
        }
        var result = breakpoints.ToArray();
        return new ChangePointResult(result, SearchChecks.TotalCost(cost, result), stop, Name, cost.Name, minSize);
    }

    /// <summary>The best split of [start, end): the earliest position with the largest gain; Position −1 when none fits.</summary>
    private static Split BestSplit(ISegmentCost cost, int start, int end, int minSize)
    {
        if (end - start < 2 * minSize) return new Split(start, end, -1, double.NegativeInfinity);
        double whole = cost.Cost(start, end);
        int position = -1;
        double gain = double.NegativeInfinity;
        for (int s = start + minSize; s <= end - minSize; s++)
        {
            double g = whole - cost.Cost(start, s) - cost.Cost(s, end);
            if (g > gain) { gain = g; position = s; }
        }
        return new Split(start, end, position, gain);
    }

    private sealed record Split(int Start, int End, int Position, double Gain);
}
