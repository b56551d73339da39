namespace DevInterp.Stages.Trends;

/// <summary>What <see cref="TrendBreaks.Find"/> found on a curve.</summary>
/// <param name="Steps">The checkpoints' steps.</param>
/// <param name="Axis">The time coordinate the trends are straight in.</param>
/// <param name="X">Each checkpoint's position on it.</param>
/// <param name="Values">The curve.</param>
/// <param name="Noise">The noise level used: the larger of the curve's own (<see cref="NoiseLevel"/>) and the option's floor.</param>
/// <param name="Range">Largest minus smallest value.</param>
/// <param name="Segments">The trends, in order; they tile the checkpoints.</param>
/// <param name="Breaks">The breaks kept (one between each pair of segments).</param>
/// <param name="Rejected">Candidate breaks of the search that failed the noise model, with their numbers.</param>
public sealed record TrendBreakResult(
    IReadOnlyList<long> Steps,
    TimeAxis Axis,
    IReadOnlyList<double> X,
    IReadOnlyList<double> Values,
    double Noise,
    double Range,
    IReadOnlyList<TrendSegment> Segments,
    IReadOnlyList<TrendBreak> Breaks,
    IReadOnlyList<TrendBreak> Rejected)
{
    /// <summary>The steps at which a new trend starts.</summary>
    public IReadOnlyList<long> BreakSteps => Breaks.Select(b => b.Step).ToArray();

    /// <summary>The steps of the breaks that only change the curve's rate (<see cref="TrendBreak.IsRateChange"/>).</summary>
    public IReadOnlyList<long> RateChangeSteps => Breaks.Where(b => b.IsRateChange).Select(b => b.BoundaryStep).ToArray();

    /// <summary>The stage boundaries the breaks put: each break's <see cref="TrendBreak.BoundaryStep"/>, in order.</summary>
    public IReadOnlyList<long> BoundarySteps => Breaks.Select(b => b.BoundaryStep).Distinct().Order().ToArray();
}

/// <summary>One straight trend: checkpoints [StartIndex, EndIndex), value ≈ Intercept + Slope · x.</summary>
/// <param name="StartIndex">First checkpoint.</param>
/// <param name="EndIndex">One past the last checkpoint.</param>
/// <param name="Intercept">Value of the fitted line at x = 0.</param>
/// <param name="Slope">Change of the value per unit of x.</param>
public sealed record TrendSegment(int StartIndex, int EndIndex, double Intercept, double Slope)
{
    /// <summary>The fitted line at <paramref name="x"/>.</summary>
    public double At(double x) => Intercept + Slope * x;
}

/// <summary>A break between two trends: the checkpoint at which the new one starts.</summary>
/// <param name="Index">That checkpoint's index.</param>
/// <param name="Step">Its step.</param>
/// <param name="Magnitude">How far the two fitted trends differ within reach of the break: |jump at the break| +
/// |slope change| × the shorter trend's span, in the curve's units.</param>
/// <param name="Bar">What the magnitude had to reach: max(z × its standard error, relative floor × range, absolute floor).</param>
public sealed record TrendBreak(int Index, long Step, double Magnitude, double Bar)
{
    /// <summary>
    /// Near the break (the shorter trend's length of checkpoints on each side), the two lines' residual over one parabola's
    /// through the same checkpoints, each plus n·σ² (the larger ratio of a parabola in the time coordinate and in the
    /// step): near 1 or above when the "break" is only a bend a smooth curve follows as well, near 0 for a step or a sharp knee.
    /// </summary>
    public double SmoothFit { get; init; }

    /// <summary>
    /// True when the break only changes the curve's rate: the lines do not jump by the bar at it, and the trends on both
    /// sides each move the curve by at least the bar, in the same direction (a rise that speeds up or slows down, a loss
    /// that falls more slowly). False for a plateau starting or ending, a step, or a reversal. A change of rate is the
    /// weakest evidence of a new stage: a smooth curve has one wherever a piecewise-linear fit bends it.
    /// </summary>
    public bool IsRateChange { get; init; }

    /// <summary>
    /// For a reversal (a rise into a fall or the reverse, each moving the curve by at least the bar), the step of the
    /// extreme value near the break — the curve's critical point, where a stage boundary belongs (the fitted lines of a
    /// rounded peak meet where they fit best, which can be several checkpoints past it); null otherwise.
    /// </summary>
    public long? Turn { get; init; }

    /// <summary>Where this break puts a stage boundary: <see cref="Turn"/> for a reversal, else <see cref="Step"/>.</summary>
    public long BoundaryStep => Turn ?? Step;
}
