namespace DevInterp.Dynamics;

/// <summary>
/// The osculating circle of a planar trajectory at one checkpoint, through it and its two neighbours.
/// </summary>
/// <param name="Index">Checkpoint index (1 … T − 2; the ends have no circle).</param>
/// <param name="Step">The checkpoint's step.</param>
/// <param name="Curvature">Signed curvature κ: positive where the path turns counter-clockwise (left), 0 on a straight
/// stretch, NaN where a neighbour coincides with the point (no direction).</param>
/// <param name="TurningAngleDegrees">Angle between the incoming and outgoing displacement, in (−180, 180]; ±180 is a
/// full reversal, NaN where a neighbour coincides with the point.</param>
/// <param name="CenterX">x of the circle's centre; NaN when κ is 0 or NaN.</param>
/// <param name="CenterY">y of the circle's centre; NaN when κ is 0 or NaN.</param>
public sealed record CurvaturePoint(int Index, long Step, double Curvature, double TurningAngleDegrees, double CenterX, double CenterY)
{
    /// <summary>Radius 1/|κ| of the osculating circle (+∞ on a straight stretch).</summary>
    public double Radius => 1.0 / Math.Abs(Curvature);
}
