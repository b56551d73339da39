using DevInterp.Llc.Validation;

namespace DevInterp.Tests.Llc;

public class AoyagiFormulaTests
{
    [Theory]
    [InlineData(10, 1)]
    [InlineData(50, 1)]
    [InlineData(1, 10)]
    [InlineData(6, 6)]
    [InlineData(4, 7)]
    public void OneFullRankLayerIsRegularWithHalfItsParameterCount(int input, int output)
    {
        int rank = Math.Min(input, output);
        Assert.Equal(input * output / 2.0, AoyagiFormula.LearningCoefficient([input, output], rank), 12);
    }

    [Theory]
    [InlineData(5, 3, 5, 6.5)]
    [InlineData(5, 4, 5, 8.0)]
    [InlineData(4, 3, 8, 6.0)]
    [InlineData(8, 3, 4, 6.0)]
    [InlineData(3, 8, 4, 6.0)]
    public void RankZeroTwoLayerCasesMatchKnownValues(int h0, int h1, int h2, double lambda)
    {
        Assert.Equal(lambda, AoyagiFormula.LearningCoefficient([h0, h1, h2], 0), 12);
    }

    [Fact]
    public void ReducedRankRegressionMatchesTheClassicalFormulaWhenTheHiddenLayerIsNarrow()
    {
        // Aoyagi & Watanabe (2005): for M inputs, N outputs, H hidden units, true rank r, in the case
        // N + r ≤ M + H, M + r ≤ N + H, H + r ≤ M + N with M + H + N + r even, λ = (2(H + r)(M + N) − (M − N)² − (H + r)²)/8.
        int m = 6, n = 6, h = 4, r = 2;
        double expected = (2.0 * (h + r) * (m + n) - (m - n) * (m - n) - (h + r) * (h + r)) / 8;
        Assert.Equal(expected, AoyagiFormula.LearningCoefficient([m, h, n], r), 12);
    }

    [Fact]
    public void LambdaNeverExceedsHalfTheParameterCount()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 500; trial++)
        {
            int layers = rng.Next(1, 6);
            var widths = Enumerable.Range(0, layers + 1).Select(_ => rng.Next(1, 12)).ToArray();
            int rank = rng.Next(0, widths.Min() + 1);
            double lambda = AoyagiFormula.LearningCoefficient(widths, rank);
            double d = Enumerable.Range(0, layers).Sum(i => widths[i] * widths[i + 1]);
            Assert.InRange(lambda, 0, d / 2 + 1e-9);
        }
    }

    [Fact]
    public void RankOutsideTheWidthsIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => AoyagiFormula.LearningCoefficient([4, 3, 5], 4));
        Assert.Contains("rank 4", e.Message);
    }
}
