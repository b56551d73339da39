using DevInterp.Stages.Costs;
using DevInterp.Stages.Search;

namespace DevInterp.Stages;

/// <summary>Options of <see cref="ChangePointDetector.Detect(double[,], ChangePointOptions)"/>.</summary>
/// <param name="Cost">Segment cost.</param>
/// <param name="Method">Search method.</param>
/// <param name="BreakpointCount">Number of change points to find; null to use a penalty instead.</param>
/// <param name="Penalty">Penalty per change point; null for <see cref="DefaultPenalty"/> (ignored when a count is given).</param>
/// <param name="MinSegmentSize">Shortest segment, in rows.</param>
/// <param name="CostOptions">Parameters of the costs; null for defaults.</param>
public sealed record ChangePointOptions(
    CostKind Cost = CostKind.L2,
    SearchMethod Method = SearchMethod.Pelt,
    int? BreakpointCount = null,
    double? Penalty = null,
    int MinSegmentSize = 2,
    CostOptions? CostOptions = null)
{
    /// <summary>Defaults: l2 cost, PELT, default penalty, segments of at least 2 rows.</summary>
    public static ChangePointOptions Default { get; } = new();
}
