namespace DevInterp.Stages.Search;

/// <summary>Options shared by the search methods.</summary>
/// <param name="MinSegmentSize">
/// Shortest segment allowed, in rows (≥ 1). The search uses the larger of this and the cost's own minimum.
/// </param>
public sealed record SearchOptions(int MinSegmentSize = 2)
{
    /// <summary>Defaults.</summary>
    public static SearchOptions Default { get; } = new();

    /// <summary>The minimum segment size the search uses with a given cost; checks the option.</summary>
    internal int EffectiveMinSize(Costs.ISegmentCost cost)
    {
        if (MinSegmentSize < 1)
            throw new ArgumentOutOfRangeException(nameof(MinSegmentSize), $"MinSegmentSize must be ≥ 1, got {MinSegmentSize}");
        return Math.Max(MinSegmentSize, cost.MinSize);
    }
}
