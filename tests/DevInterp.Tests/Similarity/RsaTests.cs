using DevInterp.Similarity;
using MathNet.Numerics.LinearAlgebra;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Similarity;

/// <summary>RSA against hand-written numpy (np.corrcoef RDMs, O(n²) tie-averaged ranks on RDMs rounded to 1e-12).</summary>
public class RsaTests
{
    private const double Tol = 1e-8;

    [Fact]
    public void SpearmanOfCorrelationDistanceRdms()
    {
        Assert.Equal(0.2095982796, new Rsa().Compute(A, B), Tol);
    }

    [Fact]
    public void TiedDissimilaritiesGetAverageRanks()
    {
        // floor(B/2) + [0,0,0,1]: many equal RDM entries (e.g. six at 1 − 1/√3, seven at 1).
        var b2 = B.Map(v => Math.Floor(v / 2)) + Matrix<double>.Build.Dense(8, 4, (i, j) => j == 3 ? 1 : 0);
        Assert.Equal(0.1438174366, new Rsa().Compute(A, b2), Tol);
    }

    [Fact]
    public void RdmIsOneMinusRowCorrelation()
    {
        var rdm = Rsa.Rdm(A);
        Assert.Equal(0.0, rdm[3, 3]);
        // rows 0 = (1,0,2) and 2 = (2,1,0): centered (0,−1,1) and (1,0,−1): r = −1/2.
        Assert.Equal(1.5, rdm[0, 2], 1e-12);
        Assert.Equal(rdm[2, 0], rdm[0, 2]);
    }

    [Fact]
    public void ConstantSampleIsRejectedByName()
    {
        var bad = A.Clone();
        bad.SetRow(5, [2.0, 2.0, 2.0]);
        var e = Assert.Throws<ArgumentException>(() => new Rsa().Compute(bad, B));
        Assert.Contains("x: sample (row) 5", e.Message);
    }

    [Fact]
    public void SingleFeatureIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Rsa().Compute(SmallX, SmallY));
        Assert.Contains("at least 2 features", e.Message);
    }
}
