using DevInterp.Dynamics;
using MathNet.Numerics.LinearAlgebra;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Dynamics;

public class EssentialDynamicsTests
{
    [Fact]
    public void CircularTrajectoryHasCurvatureOneOverItsRadiusAroundTheMean()
    {
        // A circle of radius 4 in a random plane of a 30-dimensional output space, traced over one full period:
        // PC1–PC2 is that plane, centered on the circle's centre.
        int t = 48;
        var basis = Orthogonal(30, 8);
        var outputs = Matrix<double>.Build.DenseOfRowVectors(Enumerable.Range(0, t).Select(i =>
            4 * Math.Cos(2 * Math.PI * i / t) * basis.Column(0) + 4 * Math.Sin(2 * Math.PI * i / t) * basis.Column(1) + basis.Column(5)));
        var steps = Enumerable.Range(0, t).Select(i => (long)i * 50).ToArray();
        var r = EssentialDynamics.Analyze(steps, outputs, new EssentialDynamicsOptions(Smoothing: new TrajectorySmoothingOptions(0)));
        Assert.Equal(0.5, r.Pca.ExplainedVarianceRatio[0], 1e-9);
        Assert.Equal(0.5, r.Pca.ExplainedVarianceRatio[1], 1e-9);
        Assert.Equal(t - 2, r.Curvature.Count);
        foreach (var p in r.Curvature)
        {
            Assert.Equal(0.25, Math.Abs(p.Curvature), 1e-9);
            Assert.Equal(0.0, p.CenterX, 1e-9);
            Assert.Equal(0.0, p.CenterY, 1e-9);
        }
        Assert.Empty(r.Transitions);
    }

    [Theory]
    [InlineData(SmoothingAxis.Index, 1.0)]
    [InlineData(SmoothingAxis.LogStep, 0.15)]
    public void LShapedTrajectoryIsFlaggedAtTheCornerStep(SmoothingAxis axis, double sigma)
    {
        // Log-spaced checkpoints; outputs move along one direction until the corner (checkpoint 20), then along
        // another, at a speed that keeps the points evenly spaced in log-step.
        int t = 41;
        var steps = Enumerable.Range(0, t).Select(i => (long)Math.Round(10 * Math.Pow(1.2, i))).ToArray();
        var basis = Orthogonal(25, 9);
        var outputs = Matrix<double>.Build.DenseOfRowVectors(Enumerable.Range(0, t).Select(i =>
            Math.Min(i, 20) * basis.Column(0) + 0.8 * Math.Max(0, i - 20) * basis.Column(1) + 0.001 * Gaussian(25, 1, 100 + i).Column(0)));
        var r = EssentialDynamics.Analyze(steps, outputs, new EssentialDynamicsOptions(Smoothing: new TrajectorySmoothingOptions(sigma, axis)));
        Assert.True(r.Pca.ExplainedVarianceRatio[0] + r.Pca.ExplainedVarianceRatio[1] > 0.9999);
        // Small noise (0.001 per output) keeps the straight stretches from being exactly straight.
        Assert.Single(r.Transitions);
        var corner = Assert.Single(r.Transitions, c => c.Kind.HasFlag(TransitionKind.CurvaturePeak));
        Assert.InRange(corner.Index, 19, 21);
        Assert.Equal(steps[corner.Index], corner.Step);
    }

    [Fact]
    public void MismatchedStepsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => EssentialDynamics.Analyze([0, 1], Gaussian(3, 4, 1)));
        Assert.Contains("2 steps for 3 checkpoints", e.Message);
    }
}
