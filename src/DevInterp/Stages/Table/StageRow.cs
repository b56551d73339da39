namespace DevInterp.Stages.Table;

/// <summary>One stage of the combined table: steps [StartStep, EndStep) (the last stage includes its EndStep).</summary>
/// <param name="Index">Position, from 0.</param>
/// <param name="StartStep">First step of the stage: the run's first checkpoint, or a merged boundary.</param>
/// <param name="EndStep">The next stage's start, or the run's last checkpoint.</param>
/// <param name="LlcTrend">Rising, falling or flat by <see cref="LlcChange"/>; null with fewer than two LLC values in the stage.</param>
/// <param name="LlcChange">The change of the LLC over the stage from the values measured at its own checkpoints (from
/// StartStep up to, not including, EndStep; the last stage includes it): the last minus the first
/// (<see cref="StageTable.ChangeOver"/>); null with fewer than two values there.</param>
/// <param name="LossChange">The change of the loss over the stage, likewise.</param>
/// <param name="Signals">Names of the signals that put a boundary at StartStep (empty for the first stage).</param>
/// <param name="Confidence">Confidence of the boundary at StartStep (see <see cref="MergedBoundary"/>); null for the first stage.</param>
public sealed record StageRow(
    int Index,
    long StartStep,
    long EndStep,
    StageTrend? LlcTrend,
    double? LlcChange,
    double? LossChange,
    IReadOnlyList<string> Signals,
    double? Confidence);

/// <summary>
/// A group of boundaries from several signals merged into one. Confidence = (k + 1) / (n + 2) for k distinct signals in
/// the group of n available at its step (Laplace's rule of succession), a signal being available when its coverage
/// includes the step, whether or not it proposed any boundary at all (signals in the group always count as available).
/// It grows with the number of signals that agree and never reaches 1: one signal alone gives 0.67, four of four 0.83,
/// one of four 0.33.
/// </summary>
/// <param name="Step">The group's step: the checkpoint nearest the median of its members' positions (in the tolerance's unit; the earlier checkpoint on ties).</param>
/// <param name="Signals">Distinct names of the signals in the group, sorted.</param>
/// <param name="MemberSteps">The merged boundary steps, sorted.</param>
/// <param name="AvailableSignals">Number of signals whose coverage includes <paramref name="Step"/> or that are in the group.</param>
/// <param name="Confidence">(Signals.Count + 1) / (AvailableSignals + 2).</param>
public sealed record MergedBoundary(long Step, IReadOnlyList<string> Signals, IReadOnlyList<long> MemberSteps, int AvailableSignals, double Confidence)
{
    /// <summary>True when every member marks only a change of its signal's rate (<see cref="BoundarySignal.RateChanges"/>).</summary>
    public bool RateChangeOnly { get; init; }
}
