namespace DevInterp.Stages.Table;

/// <summary>What a <see cref="StageTable"/> is built from.</summary>
/// <param name="CheckpointSteps">Steps of all the run's checkpoints, strictly increasing (the table's time axis).</param>
/// <param name="Signals">The boundary signals, names unique.</param>
/// <param name="Llc">The LLC curve (pass the smoothed one, <see cref="LlcCurve.LlcStageResult.Smoothed"/>, to keep noise
/// out of the per-stage changes); null leaves the LLC columns empty.</param>
/// <param name="Loss">The loss curve; null leaves the loss column empty.</param>
public sealed record StageTableInput(
    IReadOnlyList<long> CheckpointSteps,
    IReadOnlyList<BoundarySignal> Signals,
    StepCurve? Llc = null,
    StepCurve? Loss = null);
