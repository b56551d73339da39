using DevInterp.Dynamics;

namespace DevInterp.Tests.Dynamics;

public class PlanarCurvatureTests
{
    private static long[] Steps(int t) => Enumerable.Range(0, t).Select(i => (long)i * 10).ToArray();

    [Theory]
    [InlineData(3.0, 1.0, -2.0, 1)]
    [InlineData(0.25, -5.0, 7.0, -1)]
    public void PointsOnACircleHaveCurvatureOneOverRAndTheCircleCentre(double radius, double cx, double cy, int direction)
    {
        // Unevenly spaced angles (the three-point circle is exact whatever the spacing), counter-clockwise when
        // direction = 1, clockwise when −1.
        var angles = Enumerable.Range(0, 25).Select(i => direction * (0.1 * i + 0.02 * i * i)).ToArray();
        var x = angles.Select(a => cx + radius * Math.Cos(a)).ToArray();
        var y = angles.Select(a => cy + radius * Math.Sin(a)).ToArray();
        var k = PlanarCurvature.Compute(Steps(25), x, y);
        Assert.Equal(23, k.Count);
        foreach (var p in k)
        {
            Assert.Equal(direction / radius, p.Curvature, 1e-9);
            Assert.Equal(radius, p.Radius, 1e-9);
            Assert.Equal(cx, p.CenterX, 1e-9);
            Assert.Equal(cy, p.CenterY, 1e-9);
        }
        Assert.Equal((1, 10L), (k[0].Index, k[0].Step));
    }

    [Fact]
    public void StraightLinesHaveZeroCurvatureAndNoCentre()
    {
        var x = Enumerable.Range(0, 10).Select(i => 0.1 + 0.3 * i).ToArray();
        var y = x.Select(v => 2 - 0.7 * v).ToArray();
        foreach (var p in PlanarCurvature.Compute(Steps(10), x, y))
        {
            Assert.Equal(0.0, p.Curvature);
            Assert.True(double.IsPositiveInfinity(p.Radius));
            Assert.True(double.IsNaN(p.CenterX));
            Assert.Equal(0.0, p.TurningAngleDegrees);
        }
    }

    [Fact]
    public void RightAngleCornerTurnsNinetyDegreesLeft()
    {
        double[] x = [0, 1, 1], y = [0, 0, 1];
        var p = Assert.Single(PlanarCurvature.Compute(Steps(3), x, y));
        Assert.Equal(90.0, p.TurningAngleDegrees, 1e-12);
        // Circle through (0,0), (1,0), (1,1): centre (0.5, 0.5), radius √½.
        Assert.Equal(Math.Sqrt(2), p.Curvature, 1e-12);
        Assert.Equal(0.5, p.CenterX, 1e-12);
        Assert.Equal(0.5, p.CenterY, 1e-12);
    }

    [Fact]
    public void StalledStepHasUndefinedCurvature()
    {
        double[] x = [0, 1, 1, 2], y = [0, 0, 0, 1];
        var k = PlanarCurvature.Compute(Steps(4), x, y);
        Assert.True(double.IsNaN(k[0].Curvature));
        Assert.True(double.IsNaN(k[1].Curvature));
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => PlanarCurvature.Compute(Steps(4), [0, 1, 2], [0, 1, 2, 3]));
        Assert.Contains("expected 4 coordinates each", e.Message);
    }
}
