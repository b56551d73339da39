namespace DevInterp.Stages.LlcCurve;

/// <summary>Options of <see cref="LlcStageFinder"/>.</summary>
/// <param name="Bandwidth">
/// Standard deviation of the Gaussian smoothing kernel in natural-log-step units; null for the default, 1/30 of the
/// run's log-step range (0.29 for steps 0 to 10⁵, an eighth of a decade). At each checkpoint the kernel is widened, if
/// needed, to reach its second-nearest neighbour, so sparse early checkpoints still get a slope.
/// </param>
/// <param name="StepZero">How step 0 enters the log-step axis.</param>
/// <param name="FlatTolerance">
/// A checkpoint is flat when |d value / d ln step| is below FlatTolerance × (range of the smoothed curve), i.e. when
/// at that slope a whole e-fold of steps would move the curve by less than that fraction of its total range.
/// </param>
/// <param name="SignificanceZ">
/// A checkpoint is also flat when its slope is within SignificanceZ standard errors of zero, the standard error
/// being the local fit's (<see cref="LocalLinearSmoother"/>) for the robust noise level of the values. Keeps sparse
/// or noisy stretches from flickering between trends; 0 disables it. With 200 log-spaced checkpoints over 5 decades
/// and the default bandwidth, z = 4 kept 99 of 100 pure-noise curves a single flat stage (93 at z = 3) and read a
/// two-step staircase right in 100, 99 and 99 of 100 seeds at noise 1.5%, 3% and 5% of its range (100, 92, 88 at z = 3).
/// </param>
/// <param name="MinStageCheckpoints">
/// Stages shorter than this many checkpoints (slope flickering around the threshold) are merged into a neighbour.
/// </param>
public sealed record LlcStageOptions(
    double? Bandwidth = null,
    StepZeroHandling StepZero = StepZeroHandling.ShiftByOne,
    double FlatTolerance = 0.05,
    double SignificanceZ = 4,
    int MinStageCheckpoints = 3)
{
    /// <summary>Defaults.</summary>
    public static LlcStageOptions Default { get; } = new();

    /// <summary>Default bandwidth as a fraction of the log-step range.</summary>
    public const double DefaultBandwidthFraction = 1.0 / 40;
}
