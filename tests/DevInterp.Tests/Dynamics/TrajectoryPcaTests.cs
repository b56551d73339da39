using DevInterp.Dynamics;
using MathNet.Numerics.LinearAlgebra;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Dynamics;

public class TrajectoryPcaTests
{
    /// <summary>
    /// Outputs mean + aₜ·v₁ + bₜ·v₂ with orthonormal v₁, v₂ (F = 50) and aₜ = 5 cos θₜ, bₜ = 2 sin θₜ over one full
    /// period: aₜ and bₜ have mean 0, are uncorrelated, with variances 12.5·T/(T−1) and 2·T/(T−1).
    /// </summary>
    internal static (Matrix<double> Outputs, double[] A, double[] B) Ellipse(int t, int f, int seed)
    {
        var basis = Orthogonal(f, seed);
        var v1 = basis.Column(0);
        var v2 = basis.Column(1);
        var mean = Gaussian(1, f, seed + 1).Row(0);
        var a = Enumerable.Range(0, t).Select(i => 5 * Math.Cos(2 * Math.PI * i / t)).ToArray();
        var b = Enumerable.Range(0, t).Select(i => 2 * Math.Sin(2 * Math.PI * i / t)).ToArray();
        var outputs = Matrix<double>.Build.DenseOfRowVectors(Enumerable.Range(0, t).Select(i => mean + a[i] * v1 + b[i] * v2));
        return (outputs, a, b);
    }

    [Fact]
    public void RankTwoTrajectoryIsExplainedByTwoComponents()
    {
        var (outputs, a, b) = Ellipse(40, 50, seed: 3);
        var r = TrajectoryPca.Fit(outputs, new TrajectoryPcaOptions(Components: 4));
        Assert.Equal(2, r.ExplainedVariance.Count); // the other directions have no variance
        Assert.Equal(1.0, r.ExplainedVarianceRatio.Sum(), 1e-12);
        Assert.Equal(12.5 * 40 / 39, r.ExplainedVariance[0], 1e-9);
        Assert.Equal(2.0 * 40 / 39, r.ExplainedVariance[1], 1e-9);
        Assert.Equal(12.5 / 14.5, r.ExplainedVarianceRatio[0], 1e-12);
        // Scores recover the coordinates up to sign (the sign makes the largest-magnitude score positive).
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(Math.Abs(a[i]), Math.Abs(r.Scores[i, 0]), 1e-9);
            Assert.Equal(Math.Abs(b[i]), Math.Abs(r.Scores[i, 1]), 1e-9);
        }
        Assert.True(r.Scores.Column(0).MaxBy(Math.Abs) > 0);
        // Loadings are unit vectors and reconstruct the centered outputs.
        var loadings = r.Components.ToMatrix();
        Assert.Equal(1.0, loadings.Row(0).L2Norm(), 1e-12);
        var recon = r.Scores.ToMatrix() * loadings;
        var centered = outputs - Matrix<double>.Build.DenseOfRowVectors(Enumerable.Repeat(Vector<double>.Build.DenseOfEnumerable(r.Mean), 40));
        Assert.True((recon - centered).FrobeniusNorm() < 1e-9);
    }

    [Fact]
    public void NoisyRankTwoTrajectoryIsMostlyTwoComponents()
    {
        var (outputs, _, _) = Ellipse(60, 80, seed: 5);
        outputs += 0.01 * Gaussian(60, 80, 6);
        var r = TrajectoryPca.Fit(outputs, new TrajectoryPcaOptions(Components: 3));
        Assert.InRange(r.ExplainedVarianceRatio[0] + r.ExplainedVarianceRatio[1], 0.999, 1.0);
        Assert.True(r.ExplainedVarianceRatio[2] < 1e-3);
    }

    [Fact]
    public void ConstantOutputsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => TrajectoryPca.Fit(Matrix<double>.Build.Dense(5, 4, 1.0)));
        Assert.Contains("no variance", e.Message);
    }
}
