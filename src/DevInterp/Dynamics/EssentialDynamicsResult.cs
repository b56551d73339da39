using DevInterp.Numerics;

namespace DevInterp.Dynamics;

/// <summary>Result of <see cref="EssentialDynamics.Analyze"/>.</summary>
/// <param name="Steps">The checkpoint steps, ascending.</param>
/// <param name="Pca">The PCA of the outputs over training (raw trajectory in <see cref="TrajectoryPcaResult.Scores"/>).</param>
/// <param name="Smoothed">The smoothed T × k trajectory.</param>
/// <param name="Curvature">Osculating circles of the smoothed trajectory in the PC1–PC2 plane, checkpoints 1 … T − 2.</param>
/// <param name="Transitions">Candidate transitions: sharp turns and reversals of that path.</param>
public sealed record EssentialDynamicsResult(
    IReadOnlyList<long> Steps,
    TrajectoryPcaResult Pca,
    ReadOnlyMatrix Smoothed,
    IReadOnlyList<CurvaturePoint> Curvature,
    IReadOnlyList<TransitionCandidate> Transitions);
