namespace DevInterp.Dynamics;

/// <summary>Options of <see cref="TransitionDetector"/>.</summary>
/// <param name="RelativeThreshold">A local maximum of |κ| is a candidate when it exceeds this multiple of the median
/// |κ| over the trajectory. The default 10 is deliberately conservative: on a path that is straight up to small noise,
/// noise alone produces isolated peaks at 3–5× the median.</param>
/// <param name="ReversalAngleDegrees">A turn by at least this angle between consecutive displacements is a direction
/// reversal (a cusp), flagged whatever its curvature.</param>
/// <param name="NoiseFloorFraction">Peaks below this fraction of the largest |κ| are ignored, so that a trajectory that is
/// straight almost everywhere (median |κ| ≈ 0) does not flag noise- or rounding-level wiggles.</param>
public sealed record TransitionOptions(double RelativeThreshold = 10.0, double ReversalAngleDegrees = 150.0, double NoiseFloorFraction = 0.01);
