namespace DevInterp.Dynamics;

/// <summary>Options of <see cref="EssentialDynamics.Analyze"/>.</summary>
/// <param name="Pca">Components to keep (at least 2 for the curvature analysis).</param>
/// <param name="Smoothing">Smoothing of the PC trajectory before curvature; σ = 0 disables it.</param>
/// <param name="Transitions">Thresholds for flagging transitions.</param>
public sealed record EssentialDynamicsOptions(
    TrajectoryPcaOptions? Pca = null,
    TrajectorySmoothingOptions? Smoothing = null,
    TransitionOptions? Transitions = null);
