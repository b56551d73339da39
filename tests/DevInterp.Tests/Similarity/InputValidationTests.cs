using DevInterp.Similarity;
using MathNet.Numerics.LinearAlgebra;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Similarity;

public class InputValidationTests
{
    public static TheoryData<string> AllMeasures => [.. SimilarityMeasures.All.Select(m => m.Name)];

    [Theory]
    [MemberData(nameof(AllMeasures))]
    public void MismatchedSampleCountsNameTheArgument(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => SimilarityMeasures.ByName(name).Compute(A, B.SubMatrix(0, 7, 0, 4)));
        Assert.StartsWith("y: has 7 rows but x has 8", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [MemberData(nameof(AllMeasures))]
    public void NonFiniteEntriesAreReported(string name)
    {
        var bad = A.Clone();
        bad[4, 1] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => SimilarityMeasures.ByName(name).Compute(bad, B));
        Assert.StartsWith("x: entry (4, 1) is NaN", e.Message);
    }

    [Theory]
    [MemberData(nameof(AllMeasures))]
    public void ConstantRepresentationsAreRejectedNotNaN(string name)
    {
        var constant = Matrix<double>.Build.Dense(8, 3, 1.5);
        var e = Assert.Throws<ArgumentException>(() => SimilarityMeasures.ByName(name).Compute(A, constant));
        Assert.StartsWith("y:", e.Message);
    }

    [Fact]
    public void TooFewSamplesForDebiasedCka()
    {
        var e = Assert.Throws<ArgumentException>(() => new DebiasedCka().Compute(A.SubMatrix(0, 3, 0, 3), B.SubMatrix(0, 3, 0, 4)));
        Assert.StartsWith("x: debiased CKA needs at least 4 samples (rows), got 3", e.Message);
    }

    [Fact]
    public void BadOptionsAndNames()
    {
        Assert.Contains("Threshold", Assert.Throws<ArgumentException>(() => new RbfCka(new RbfCkaOptions(0))).Message);
        Assert.Contains("VarianceFraction", Assert.Throws<ArgumentException>(() => new Svcca(new SvccaOptions(1.5))).Message);
        Assert.Contains("known: linear_cka", Assert.Throws<ArgumentException>(() => SimilarityMeasures.ByName("cka")).Message);
    }

    [Fact]
    public void RbfBandwidthUndefinedWhenMostSamplesCoincide()
    {
        var x = Matrix<double>.Build.Dense(6, 2);
        x[5, 0] = 1; // five identical samples: the median of the 36 squared distances is 0
        var e = Assert.Throws<ArgumentException>(() => new RbfCka().Compute(x, Z));
        Assert.Contains("x: the median squared distance between samples is 0", e.Message);
    }
}
