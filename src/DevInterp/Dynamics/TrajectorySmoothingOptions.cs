namespace DevInterp.Dynamics;

/// <summary>The axis along which <see cref="TrajectorySmoothing"/> measures distances between checkpoints.</summary>
public enum SmoothingAxis
{
    /// <summary>Checkpoint index 0, 1, 2, …: sigma counts checkpoints (right for evenly spaced checkpoints).</summary>
    Index,

    /// <summary>
    /// ln(step + 1): sigma is in natural-log units of the step, so for log-spaced checkpoints the kernel covers the same
    /// fraction of training at every scale (σ = 0.1 ≈ ±10% of the step).
    /// </summary>
    LogStep,
}

/// <summary>Options of <see cref="TrajectorySmoothing"/>.</summary>
/// <param name="Sigma">Gaussian kernel width in the units of <paramref name="Axis"/>; 0 means no smoothing.</param>
/// <param name="Axis">Index or log-step positions.</param>
public sealed record TrajectorySmoothingOptions(double Sigma = 1.0, SmoothingAxis Axis = SmoothingAxis.Index);
