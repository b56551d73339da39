using DevInterp.Similarity;
using DevInterp.Similarity.Steps;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Similarity;

public class StepSimilarityAccumulatorTests
{
    /// <summary>A drifting representation: each checkpoint is the previous one plus noise, so CKA decays with distance.</summary>
    private static (long[] Steps, List<Matrix<double>> Features) Trajectory(int t, int n, int d, int seed)
    {
        var steps = Enumerable.Range(0, t).Select(i => (long)(i * i * 10)).ToArray();
        var features = new List<Matrix<double>> { Gaussian(n, d, seed) };
        for (int i = 1; i < t; i++) features.Add(features[^1] + 0.6 * Gaussian(n, d, seed + i));
        return (steps, features);
    }

    [Theory]
    [InlineData(StepSimilarityRoute.Features, 50, 6)]
    [InlineData(StepSimilarityRoute.Gram, 50, 6)]
    [InlineData(StepSimilarityRoute.Features, 30, 45)] // d > n: factors reduced to n columns by QR
    [InlineData(StepSimilarityRoute.Gram, 30, 45)]
    [InlineData(StepSimilarityRoute.Auto, 40, 12)]
    public void EveryEntryEqualsThePairwiseMeasures(StepSimilarityRoute route, int n, int d)
    {
        var (steps, features) = Trajectory(7, n, d, seed: 50 + n + d);
        // Small blocks and tiles so that several (and ragged) blocks and groups are exercised.
        var acc = new StepSimilarityAccumulator(new StepSimilarityOptions(route, GramBlockSize: 16, FeatureTileColumns: 2 * d + 1));
        foreach (int i in new[] { 3, 0, 6, 1, 5, 2, 4 }) acc.Add(steps[i], features[i]); // out of order on purpose
        var r = acc.Result();
        Assert.Equal(steps, r.Steps);
        Assert.NotEqual(StepSimilarityRoute.Auto, r.Route);
        if (route != StepSimilarityRoute.Auto) Assert.Equal(route, r.Route);
        for (int i = 0; i < 7; i++)
            for (int j = 0; j < 7; j++)
            {
                Assert.Equal(new LinearCka().Compute(features[i], features[j]), r.LinearCka.Values[i, j], 1e-10);
                Assert.Equal(new DebiasedCka().Compute(features[i], features[j]), r.DebiasedCka!.Values[i, j], 1e-10);
            }
        Assert.Equal(1.0, r.LinearCka.Values[4, 4], 1e-12);
    }

    [Fact]
    public void ViewsReadTheMatrix()
    {
        var (steps, features) = Trajectory(5, 40, 8, seed: 7);
        var acc = new StepSimilarityAccumulator();
        for (int i = 0; i < 5; i++) acc.Add(steps[i], features[i]);
        var m = acc.Result().LinearCka;

        var adjacent = m.Adjacent();
        Assert.Equal(steps.Skip(1), adjacent.Steps);
        Assert.Equal(Enumerable.Range(1, 4).Select(i => m.Values[i - 1, i]), adjacent.Values);

        var final = m.ToFinal();
        Assert.Equal(steps, final.Steps);
        Assert.Equal(1.0, final.Values[4], 1e-12);
        Assert.Contains("final step 160", final.Description);
        // The drift makes similarity to the final checkpoint rise along training, and to the initial one fall.
        Assert.True(final.Values.Zip(final.Values.Skip(1)).All(p => p.First < p.Second));
        var initial = m.ToInitial();
        Assert.True(initial.Values.Zip(initial.Values.Skip(1)).All(p => p.First > p.Second));
        Assert.Equal(m.Values[2, 1], m.ToStep(steps[1]).Values[2]);
    }

    [Fact]
    public void TensorInputMatchesMatrixInputAndAcceptsFloat32()
    {
        var (steps, features) = Trajectory(3, 20, 5, seed: 9);
        var fromMatrices = new StepSimilarityAccumulator();
        var fromTensors = new StepSimilarityAccumulator();
        for (int i = 0; i < 3; i++)
        {
            fromMatrices.Add(steps[i], features[i]);
            using var t = torch.tensor(features[i].ToRowMajorArray(), [20, 5], torch.float32);
            fromTensors.Add(steps[i], t);
            Assert.Equal(torch.float32, t.dtype); // the caller's tensor is left alone
        }
        // A float64 tensor is copied, not taken over: it stays usable and unchanged (not centered in place).
        using var f64 = torch.tensor(features[0].ToRowMajorArray(), [20, 5], torch.float64);
        var before = f64.sum().item<double>();
        var again = new StepSimilarityAccumulator();
        again.Add(0, f64);
        Assert.Equal(before, f64.sum().item<double>());
        var a = fromMatrices.Result().LinearCka.Values;
        var b = fromTensors.Result().LinearCka.Values;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Assert.Equal(a[i, j], b[i, j], 1e-6);
    }

    [Fact]
    public void PairwiseLoopAgreesWithTheEngineAndSupportsAnyMeasure()
    {
        var (steps, features) = Trajectory(4, 30, 5, seed: 12);
        var acc = new StepSimilarityAccumulator();
        for (int i = 0; i < 4; i++) acc.Add(steps[i], features[i]);
        var engine = acc.Result().LinearCka.Values;
        var loop = PairwiseStepSimilarity.Compute(new LinearCka(), steps, features).Values;
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(engine[i, j], loop[i, j], 1e-10);

        var cca = PairwiseStepSimilarity.Compute(new Cca(), steps, features);
        Assert.Equal("cca", cca.Measure);
        Assert.Equal(new Cca().Compute(features[1], features[3]), cca.Values[3, 1], 1e-12);
    }

    [Fact]
    public void AutoRoutePicksGramForWideFeaturesAndFeaturesForNarrowOnes()
    {
        var options = new StepSimilarityOptions();
        Assert.Equal(StepSimilarityRoute.Gram, StepRouteCost.Choose(200, 2048, 512, options));
        Assert.Equal(StepSimilarityRoute.Features, StepRouteCost.Choose(200, 2048, 16, options));
        Assert.Equal(StepSimilarityRoute.Features, StepRouteCost.Choose(200, 100_000, 64, options));
    }

    [Fact]
    public void BadCheckpointsGiveOneLineErrors()
    {
        var acc = new StepSimilarityAccumulator();
        Assert.Contains("no checkpoint", Assert.Throws<InvalidOperationException>(() => acc.Result()).Message);
        acc.Add(0, Gaussian(10, 3, 1));
        Assert.Contains("step 5: shape 10×4 differs from the 10×3 of step 0",
            Assert.Throws<ArgumentException>(() => acc.Add(5, Gaussian(10, 4, 2))).Message);
        Assert.Contains("0 was already added", Assert.Throws<ArgumentException>(() => acc.Add(0, Gaussian(10, 3, 3))).Message);
        Assert.Contains("step 7: every sample has the same features",
            Assert.Throws<ArgumentException>(() => acc.Add(7, Matrix<double>.Build.Dense(10, 3, 2.0))).Message);
        using var bad = torch.zeros(10, 3);
        bad[4, 2] = torch.tensor(float.PositiveInfinity);
        Assert.Contains("step 8: entry (4, 2) is Infinity; expected finite values", Assert.Throws<ArgumentException>(() => acc.Add(8, bad)).Message);
        using var cube = torch.zeros(2, 10, 3);
        Assert.Contains("expected a 2-D", Assert.Throws<ArgumentException>(() => acc.Add(9, cube)).Message);
        Assert.Equal(1, acc.Count);
    }
}
