using DevInterp.Dynamics;
using DevInterp.Numerics;

namespace DevInterp.Tests.Dynamics;

public class TransitionDetectorTests
{
    private static long[] Steps(int t) => Enumerable.Range(0, t).Select(i => (long)i * 100).ToArray();

    /// <summary>Along x from (0,0) to (10,0), then along y to (10,10): the corner is checkpoint 10.</summary>
    private static (double[] X, double[] Y) LShape()
    {
        var x = Enumerable.Range(0, 21).Select(i => (double)Math.Min(i, 10)).ToArray();
        var y = Enumerable.Range(0, 21).Select(i => (double)Math.Max(0, i - 10)).ToArray();
        return (x, y);
    }

    [Fact]
    public void TwoStraightSegmentsAreFlaggedAtTheCornerOnly()
    {
        var (x, y) = LShape();
        var flagged = TransitionDetector.Detect(PlanarCurvature.Compute(Steps(21), x, y));
        var c = Assert.Single(flagged);
        Assert.Equal((10, 1000L), (c.Index, c.Step));
        Assert.Equal(TransitionKind.CurvaturePeak, c.Kind);
        Assert.Equal(90.0, c.TurningAngleDegrees, 1e-12);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.5)]
    public void AfterSmoothingTheCornerIsStillTheOnlyPeak(double sigma)
    {
        var (x, y) = LShape();
        var raw = new double[21, 2];
        for (int i = 0; i < 21; i++) (raw[i, 0], raw[i, 1]) = (x[i], y[i]);
        var smoothed = TrajectorySmoothing.Smooth(Steps(21), ReadOnlyMatrix.From(raw), new TrajectorySmoothingOptions(sigma));
        var k = PlanarCurvature.Compute(Steps(21), smoothed.Column(0), smoothed.Column(1));
        var c = Assert.Single(TransitionDetector.Detect(k));
        Assert.Equal(10, c.Index);
        // The rounded corner is gentler than the raw one (κ = √2) but still the sharpest point by far.
        Assert.InRange(Math.Abs(c.Curvature), 0.05, Math.Sqrt(2));
    }

    [Fact]
    public void GoingBackOnItselfIsADirectionReversal()
    {
        // Out along x to 5, then back: the turning angle at the tip is 180° while κ (collinear points) is 0.
        var x = Enumerable.Range(0, 11).Select(i => (double)(5 - Math.Abs(i - 5))).ToArray();
        var y = new double[11];
        var c = Assert.Single(TransitionDetector.Detect(PlanarCurvature.Compute(Steps(11), x, y)));
        Assert.Equal(5, c.Index);
        Assert.Equal(TransitionKind.DirectionReversal, c.Kind);
        Assert.Equal(180.0, Math.Abs(c.TurningAngleDegrees));
    }

    [Fact]
    public void UniformCurvatureHasNoPeaks()
    {
        // A circle turns equally everywhere: no point stands out against the median.
        var a = Enumerable.Range(0, 30).Select(i => 0.2 * i).ToArray();
        var k = PlanarCurvature.Compute(Steps(30), a.Select(Math.Cos).ToArray(), a.Select(Math.Sin).ToArray());
        Assert.Empty(TransitionDetector.Detect(k));
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => TransitionDetector.Detect([], new TransitionOptions(ReversalAngleDegrees: 200)));
        Assert.Contains("ReversalAngleDegrees in (0, 180]", e.Message);
    }
}
