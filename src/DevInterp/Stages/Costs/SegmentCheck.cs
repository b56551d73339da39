namespace DevInterp.Stages.Costs;

/// <summary>Argument checks shared by the costs.</summary>
internal static class SegmentCheck
{
    public static void Range(ISegmentCost cost, int start, int end)
    {
        if (start < 0 || end > cost.Length || end - start < cost.MinSize)
            throw new ArgumentOutOfRangeException(nameof(start),
                $"{cost.Name} cost: segment [{start}, {end}) must lie in [0, {cost.Length}) and hold at least {cost.MinSize} rows");
    }
}
