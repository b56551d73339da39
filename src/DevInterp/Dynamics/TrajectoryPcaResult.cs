using DevInterp.Numerics;

namespace DevInterp.Dynamics;

/// <summary>Result of <see cref="TrajectoryPca.Fit"/>.</summary>
/// <param name="ExplainedVariance">Variance along each kept component, λᵢ/(T − 1), descending.</param>
/// <param name="ExplainedVarianceRatio">Each kept component's share of the total variance (all components).</param>
/// <param name="TotalVariance">Total variance Σ over all features of the variance over steps.</param>
/// <param name="Scores">The trajectory: T × k coordinates of each (centered) checkpoint on the components.</param>
/// <param name="Components">k × F unit loading vectors (rows), sign-fixed so each component's largest-magnitude score
/// is positive.</param>
/// <param name="Mean">The F-vector mean over steps that was subtracted.</param>
public sealed record TrajectoryPcaResult(
    IReadOnlyList<double> ExplainedVariance,
    IReadOnlyList<double> ExplainedVarianceRatio,
    double TotalVariance,
    ReadOnlyMatrix Scores,
    ReadOnlyMatrix Components,
    IReadOnlyList<double> Mean);
