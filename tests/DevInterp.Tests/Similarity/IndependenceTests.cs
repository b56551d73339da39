using DevInterp.Similarity;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Similarity;

/// <summary>
/// Independent Gaussian representations. Biased linear CKA concentrates at √(pq/((n−1+p)(n−1+q))) (E‖XᵀY‖² ≈ (n−1)pq,
/// E‖XᵀX‖² ≈ (n−1)²p + (n−1)p² for centered Gaussian data; p/(n−1+p) when p = q); its standard deviation in numpy
/// simulations of these shapes is ≈ 0.004, so ±0.015 is ~4σ. Debiased CKA is ≈ 0 (sd ≈ 0.004–0.005), tested ±0.02.
/// </summary>
public class IndependenceTests
{
    [Theory]
    [InlineData(400, 100, 100, 1)]
    [InlineData(300, 50, 200, 2)]
    [InlineData(400, 40, 40, 3)]
    public void BiasedCkaSitsAtItsNullValueAndDebiasedCkaAtZero(int n, int p, int q, int seed)
    {
        var x = Gaussian(n, p, 100 * seed);
        var y = Gaussian(n, q, 100 * seed + 1);
        double expected = Math.Sqrt((double)p * q / ((n - 1.0 + p) * (n - 1.0 + q)));
        Assert.InRange(new LinearCka().Compute(x, y), expected - 0.015, expected + 0.015);
        Assert.InRange(new DebiasedCka().Compute(x, y), -0.02, 0.02);
    }

    [Fact]
    public void WithMoreFeaturesThanSamplesBiasedCkaIsLargeButDebiasedStaysNearZero()
    {
        var x = Gaussian(100, 1000, 7);
        var y = Gaussian(100, 1000, 8);
        double expected = 1000.0 / (99 + 1000); // ≈ 0.91: biased CKA says "similar" for unrelated data
        Assert.InRange(new LinearCka().Compute(x, y), expected - 0.02, expected + 0.02);
        Assert.InRange(new DebiasedCka().Compute(x, y), -0.05, 0.05);
    }
}
