namespace DevInterp.Stages.Table;

/// <summary>Unit of the merge tolerance of <see cref="StageTable"/>.</summary>
public enum ToleranceUnit
{
    /// <summary>Checkpoint positions: boundary steps are mapped to their (interpolated) index among the run's checkpoints.</summary>
    Checkpoints,
    /// <summary>Natural log of step + 1: a tolerance of 0.23 is a tenth of a decade of training.</summary>
    LogSteps,
}

/// <summary>Options of <see cref="StageTable.Build"/>.</summary>
/// <param name="Tolerance">
/// Boundaries are grouped greedily in step order: a group starts at its earliest boundary and takes every later one
/// within this distance of it (so a group never spans more than the tolerance; chains do not merge).
/// </param>
/// <param name="Unit">Unit of <paramref name="Tolerance"/>.</param>
/// <param name="MinConfidence">Groups whose confidence is below this are dropped (0 keeps all).</param>
/// <param name="FlatTolerance">A stage's LLC trend is flat when |LLC change| is below this fraction of the LLC curve's range.</param>
/// <param name="MinEndStageCheckpoints">The first and the last stage hold at least this many checkpoints: a boundary
/// closer to an end of the run is dropped (moved to <see cref="StageTable.DroppedBoundaries"/>). Signals that smooth over
/// neighbouring checkpoints see only one side at the ends, and a stage of one or two checkpoints there is such an edge
/// effect, not a stage.</param>
/// <param name="MinRateChangeConfidence">A group made only of changes of rate (<see cref="BoundarySignal.RateChanges"/>)
/// is dropped below this confidence. The default 1/3 is what one signal alone gets among four available ones: with more
/// signals, a change of rate needs another signal to agree (two of up to ten).</param>
public sealed record StageTableOptions(
    double Tolerance = 2,
    ToleranceUnit Unit = ToleranceUnit.Checkpoints,
    double MinConfidence = 0,
    double FlatTolerance = 0.05,
    int MinEndStageCheckpoints = 3,
    double MinRateChangeConfidence = 1.0 / 3)
{
    /// <summary>Defaults: merge boundaries within 2 checkpoints, keep all.</summary>
    public static StageTableOptions Default { get; } = new();
}
