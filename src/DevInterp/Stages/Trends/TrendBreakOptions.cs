namespace DevInterp.Stages.Trends;

/// <summary>
/// Options of <see cref="TrendBreaks"/>: the noise model a break must clear. A break is kept only when the two trends
/// it separates differ, within reach of it, by at least max(<see cref="SignificanceZ"/> × their standard error,
/// <see cref="RelativeFloor"/> × the curve's range, <see cref="AbsoluteFloor"/>).
/// </summary>
/// <param name="RelativeFloor">Fraction of the curve's range (largest minus smallest value) a break must change it by:
/// changes much smaller than the curve's own scale are not stages, however clean the curve is.</param>
/// <param name="AbsoluteFloor">Least change, in the curve's own units, that counts (0.05 in ln(loss): a 5% change of the loss;
/// 0.02 for an accuracy; 0.5 for the LLC). A curve that moves by less than this over the whole run has no break.</param>
/// <param name="SignificanceZ">How many standard errors of the difference between the two fitted trends a break must
/// reach, the standard error coming from the curve's noise level (<see cref="NoiseLevel"/>, or <see cref="NoiseFloor"/>).</param>
/// <param name="MinSegmentSize">Fewest checkpoints in a trend (≥ 3: a line through two points has no residual). Also
/// keeps every break at least this far from either end of the run.</param>
/// <param name="NoiseFloor">The curve's known measurement error per point (for the LLC, the standard error of the estimates),
/// a lower bound on the noise level estimated from the curve; null for none.</param>
/// <param name="MaxSmoothFit">A break is kept only when, near it, two lines fit the checkpoints with at most this fraction
/// of the residual of one parabola through them (<see cref="TrendBreak.SmoothFit"/>, with n·σ² added to both; the parabola
/// in the time coordinate and, when that is not linear, in the step, the worse counting): a bend that a smooth curve
/// follows as well is curvature, not a change of regime.</param>
public sealed record TrendBreakOptions(
    double RelativeFloor = 0.1,
    double AbsoluteFloor = 0,
    double SignificanceZ = 4,
    int MinSegmentSize = 3,
    double? NoiseFloor = null,
    double MaxSmoothFit = 0.5)
{
    /// <summary>Defaults.</summary>
    public static TrendBreakOptions Default { get; } = new();

    internal void Validate()
    {
        if (!(RelativeFloor >= 0) || !double.IsFinite(RelativeFloor))
            throw new ArgumentOutOfRangeException(nameof(RelativeFloor), $"RelativeFloor must be a finite number ≥ 0, got {RelativeFloor}");
        if (!(AbsoluteFloor >= 0) || !double.IsFinite(AbsoluteFloor))
            throw new ArgumentOutOfRangeException(nameof(AbsoluteFloor), $"AbsoluteFloor must be a finite number ≥ 0, got {AbsoluteFloor}");
        if (!(SignificanceZ >= 0) || !double.IsFinite(SignificanceZ))
            throw new ArgumentOutOfRangeException(nameof(SignificanceZ), $"SignificanceZ must be a finite number ≥ 0, got {SignificanceZ}");
        if (MinSegmentSize < 3)
            throw new ArgumentOutOfRangeException(nameof(MinSegmentSize), $"MinSegmentSize must be ≥ 3, got {MinSegmentSize}");
        if (!(MaxSmoothFit > 0 && MaxSmoothFit <= 1))
            throw new ArgumentOutOfRangeException(nameof(MaxSmoothFit), $"MaxSmoothFit must lie in (0, 1], got {MaxSmoothFit}");
        if (NoiseFloor is { } f && (!(f >= 0) || !double.IsFinite(f)))
            throw new ArgumentOutOfRangeException(nameof(NoiseFloor), $"NoiseFloor must be a finite number ≥ 0 or null, got {f}");
    }
}
