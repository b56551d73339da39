using DevInterp.Similarity;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Similarity;

/// <summary>
/// CCA, SVCCA and PWCCA on the 8-sample matrices A (3 features) and B (4 features), against hand-written numpy that
/// uses the classical route Σxx^(−1/2)·Σxy·Σyy^(−1/2) (eigendecompositions) rather than QR/SVD bases, and an explicit
/// canonical-variate projection for the PWCCA weights.
/// </summary>
public class CcaFamilyKnownValueTests
{
    private const double Tol = 1e-8;

    [Fact]
    public void CanonicalCorrelationsOfAAndB()
    {
        var r = new Cca().Analyze(A, B);
        Assert.Equal([0.98072362, 0.74774443, 0.57500739], r.Correlations.Select(v => Math.Round(v, 8)));
        Assert.Equal(3, r.RankX);
        Assert.Equal(4, r.RankY);
    }

    [Fact]
    public void SvccaKeepsAllDirectionsAt99Percent()
    {
        var r = new Svcca().Analyze(A, B);
        Assert.Equal((3, 4), (r.KeptX, r.KeptY));
        Assert.Equal(0.7678251478287846, r.MeanCorrelation, Tol);
    }

    [Theory]
    [InlineData(0.85, 2, 3, 0.627989480673788)]
    [InlineData(0.6, 2, 2, 0.6039637595004436)]
    public void SvccaTruncatesBySquaredSingularValues(double fraction, int keptX, int keptY, double expected)
    {
        // Cumulative s² fractions: A 0.524, 0.870, 1; B 0.453, 0.689, 0.878, 1.
        var r = new Svcca(new SvccaOptions(fraction)).Analyze(A, B);
        Assert.Equal((keptX, keptY), (r.KeptX, r.KeptY));
        Assert.Equal(expected, r.MeanCorrelation, Tol);
        Assert.Equal(expected, new Svcca(new SvccaOptions(fraction)).Compute(A, B), Tol);
    }

    [Fact]
    public void PwccaWeightsByTheSideWithFewerNeurons()
    {
        var r = new Pwcca().Analyze(A, B);
        Assert.Equal("x", r.WeightedBy);
        Assert.Equal(0.7702070463616453, r.Value, Tol);
        Assert.Equal([0.33370149, 0.34625778, 0.32004073], r.Weights.Select(v => Math.Round(v, 8)));
        Assert.Equal(1.0, r.Weights.Sum(), 1e-12);

        // Swapping the arguments keeps the weighting side (A, now y), so the value is the same.
        Assert.Equal(0.7702070463616453, new Pwcca().Compute(B, A), Tol);
        Assert.Equal("y", new Pwcca().Analyze(B, A).WeightedBy);
    }

    [Fact]
    public void PwccaWeightedByTheLargerSideDiffers()
    {
        var r = new Pwcca(new PwccaOptions(PwccaWeightSide.Y)).Analyze(A, B);
        Assert.Equal(0.7949474483424459, r.Value, Tol);
        Assert.Equal([0.40447625, 0.32325134, 0.27227242], r.Weights.Select(v => Math.Round(v, 8)));
    }
}
