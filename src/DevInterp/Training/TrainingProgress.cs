using DevInterp.Runs;

namespace DevInterp.Training;

/// <summary>A progress report from <see cref="Trainer"/>: sent at every checkpoint and about every 1% of the steps.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Optimizer steps in the run.</param>
/// <param name="TrainLoss">Loss at <paramref name="Step"/> (full training set at checkpoints; the last minibatch otherwise).</param>
/// <param name="Checkpoint">The checkpoint just written, or null.</param>
/// <param name="Elapsed">Wall time since training started.</param>
public sealed record TrainingProgress(long Step, long TotalSteps, double TrainLoss, ManifestCheckpoint? Checkpoint, TimeSpan Elapsed)
{
    /// <summary>Fraction done, 0..1.</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;
}

/// <summary>What a finished run produced.</summary>
/// <param name="Directory">The run directory.</param>
/// <param name="Manifest">The manifest written there.</param>
/// <param name="LossCurve">(step, full training loss) at the loss-curve steps, as in loss_curve.csv.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record TrainingResult(string Directory, RunManifest Manifest, IReadOnlyList<(long Step, double Loss)> LossCurve, TimeSpan Elapsed);
