using DevInterp.Similarity;
using MathNet.Numerics.LinearAlgebra;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Similarity;

/// <summary>
/// Each measure's promised invariances hold to 1e-9 on random related data, and the invariances it does not promise
/// visibly fail (the value moves by more than 1e-3).
/// </summary>
public class InvarianceTests
{
    private const int N = 60, Dx = 8, Dy = 6;
    private static readonly (Matrix<double> X, Matrix<double> Y) Data = RelatedPair(N, Dx, Dy, seed: 11);

    public static TheoryData<string> OrthogonallyInvariant => ["linear_cka", "debiased_cka", "rbf_cka", "cca", "cca_r2", "svcca", "procrustes", "procrustes_angular"];
    public static TheoryData<string> TranslationInvariant => ["linear_cka", "debiased_cka", "rbf_cka", "cca", "cca_r2", "svcca", "pwcca", "procrustes", "procrustes_angular"];
    public static TheoryData<string> AllMeasures => [.. SimilarityMeasures.All.Select(m => m.Name)];
    public static TheoryData<string> NotLinearInvariant => ["linear_cka", "debiased_cka", "rbf_cka", "svcca", "pwcca", "procrustes", "procrustes_angular", "rsa"];

    private static double Value(string name, Matrix<double> x, Matrix<double> y) => SimilarityMeasures.ByName(name).Compute(x, y);

    [Theory]
    [MemberData(nameof(OrthogonallyInvariant))]
    public void OrthogonalTransforms(string name)
    {
        double v = Value(name, Data.X, Data.Y);
        Assert.Equal(v, Value(name, Data.X * Orthogonal(Dx, 21), Data.Y), 1e-9);
        Assert.Equal(v, Value(name, Data.X, Data.Y * Orthogonal(Dy, 22)), 1e-9);
    }

    [Theory]
    [MemberData(nameof(AllMeasures))]
    public void IsotropicScaling(string name)
    {
        double v = Value(name, Data.X, Data.Y);
        Assert.Equal(v, Value(name, 3.7 * Data.X, Data.Y), 1e-9);
        Assert.Equal(v, Value(name, Data.X, 0.02 * Data.Y), 1e-9);
    }

    [Theory]
    [MemberData(nameof(TranslationInvariant))]
    public void Translation(string name)
    {
        double v = Value(name, Data.X, Data.Y);
        Assert.Equal(v, Value(name, Translate(Data.X, 31), Translate(Data.Y, 32)), 1e-9);
    }

    [Fact]
    public void RsaChangesUnderTranslationByANonConstantVector()
    {
        double v = Value("rsa", Data.X, Data.Y);
        Assert.True(Math.Abs(v - Value("rsa", Translate(Data.X, 31), Data.Y)) > 1e-3);
    }

    [Theory]
    [MemberData(nameof(AllMeasures))]
    public void IdenticalRepresentationsAreMaximallySimilar(string name)
    {
        var m = SimilarityMeasures.ByName(name);
        Assert.Equal(m.IsDistance ? 0.0 : 1.0, m.Compute(Data.X, Data.X), 1e-7);
    }

    [Theory]
    [InlineData("cca")]
    [InlineData("cca_r2")]
    public void CcaIsInvariantToAnyInvertibleLinearMap(string name)
    {
        var a = Gaussian(Dx, Dx, 41) + 3 * Matrix<double>.Build.DenseIdentity(Dx);
        var b = Gaussian(Dy, Dy, 42) + 3 * Matrix<double>.Build.DenseIdentity(Dy);
        double v = Value(name, Data.X, Data.Y);
        Assert.Equal(v, Value(name, Translate(Data.X * a, 43), Data.Y * b), 1e-9);
    }

    [Theory]
    [MemberData(nameof(NotLinearInvariant))]
    public void OtherMeasuresChangeUnderAGeneralLinearMap(string name)
    {
        // A strongly anisotropic map of Y (PWCCA weights by Y, the side with fewer neurons): one direction stretched 10×.
        var b = Gaussian(Dy, Dy, 41) + 3 * Matrix<double>.Build.DenseIdentity(Dy);
        b.SetColumn(0, b.Column(0) * 10);
        double v = Value(name, Data.X, Data.Y);
        Assert.True(Math.Abs(v - Value(name, Data.X, Data.Y * b)) > 1e-3, $"{name} did not change");
    }

    [Theory]
    [InlineData("pwcca")]
    [InlineData("rsa")]
    public void BasisDependentMeasuresChangeUnderRotation(string name)
    {
        // Rotate Y: PWCCA weights by Y, the side with fewer neurons; rotating X would leave its weights alone.
        double v = Value(name, Data.X, Data.Y);
        Assert.True(Math.Abs(v - Value(name, Data.X, Data.Y * Orthogonal(Dy, 22))) > 1e-3, $"{name} did not change");
    }

    [Fact]
    public void PwccaIsInvariantToPermutingAndFlippingNeurons()
    {
        // Signed permutation of X's neurons (weights sum |⟨h, x_j⟩| over neurons, so only the neuron basis matters).
        var p = Matrix<double>.Build.Dense(Dx, Dx);
        for (int j = 0; j < Dx; j++) p[(j * 3 + 1) % Dx, j] = j % 2 == 0 ? 1 : -1;
        foreach (var side in Enum.GetValues<PwccaWeightSide>())
        {
            var m = new Pwcca(new PwccaOptions(side));
            Assert.Equal(m.Compute(Data.X, Data.Y), m.Compute(Data.X * p, Data.Y), 1e-9);
        }
    }

    [Fact]
    public void RsaIsInvariantToFeaturePermutationPerSampleAffineMapsAndSampleOrder()
    {
        var rsa = new Rsa();
        double v = rsa.Compute(Data.X, Data.Y);
        var perm = Matrix<double>.Build.Dense(Dx, Dx);
        for (int j = 0; j < Dx; j++) perm[(j * 3 + 1) % Dx, j] = 1;
        Assert.Equal(v, rsa.Compute(Data.X * perm, Data.Y), 1e-9);

        var rowAffine = Matrix<double>.Build.Dense(N, Dx, (i, j) => (1 + i % 5) * Data.X[i, j] + (i - 30));
        Assert.Equal(v, rsa.Compute(rowAffine, Data.Y), 1e-9);

        int[] order = [.. Enumerable.Range(0, N).Select(i => (i * 7 + 3) % N)];
        var xs = Matrix<double>.Build.Dense(N, Dx, (i, j) => Data.X[order[i], j]);
        var ys = Matrix<double>.Build.Dense(N, Dy, (i, j) => Data.Y[order[i], j]);
        Assert.Equal(v, rsa.Compute(xs, ys), 1e-9);
    }
}
