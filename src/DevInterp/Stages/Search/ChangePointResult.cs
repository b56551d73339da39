namespace DevInterp.Stages.Search;

/// <summary>
/// A segmentation found by a search. <see cref="Breakpoints"/> follows the ruptures convention: the sorted indices
/// at which a new segment starts, followed by T, so segment k covers rows [b_{k−1}, b_k) with b_{−1} = 0 and the
/// last entry is always T. A signal with no change has Breakpoints = [T].
/// </summary>
/// <param name="Breakpoints">Sorted segment ends, the last one T.</param>
/// <param name="SegmentCost">Sum of the segments' costs (without any penalty).</param>
/// <param name="Stop">The stop rule the search was run with.</param>
/// <param name="Method">Search method (<c>pelt</c>, <c>binseg</c>, <c>dynp</c>).</param>
/// <param name="CostName">Cost model name.</param>
/// <param name="MinSegmentSize">The minimum segment size that was enforced.</param>
public sealed record ChangePointResult(
    IReadOnlyList<int> Breakpoints, double SegmentCost, StopRule Stop, string Method, string CostName, int MinSegmentSize)
{
    /// <summary>Number of rows T of the signal.</summary>
    public int Length => Breakpoints[^1];

    /// <summary>The change points: <see cref="Breakpoints"/> without the final T.</summary>
    public IReadOnlyList<int> ChangePoints => Breakpoints.Take(Breakpoints.Count - 1).ToArray();

    /// <summary>The segments as half-open row ranges [Start, End).</summary>
    public IReadOnlyList<(int Start, int End)> Segments =>
        Breakpoints.Select((end, k) => (k == 0 ? 0 : Breakpoints[k - 1], end)).ToArray();

    /// <summary>SegmentCost plus the penalty times the number of change points (equal to SegmentCost for a count stop).</summary>
    public double PenalizedCost => SegmentCost + (Stop.Penalty ?? 0) * (Breakpoints.Count - 1);
}
