using DevInterp.Similarity;
using MathNet.Numerics.LinearAlgebra;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Similarity;

public class MinibatchCkaTests
{
    [Fact]
    public void OneBatchIsExactlyDebiasedCka()
    {
        var (x, y) = RelatedPair(50, 7, 5, seed: 3);
        var mb = new MinibatchCka();
        mb.Add(x, y);
        var r = mb.Result();
        Assert.Equal(new DebiasedCka().Compute(x, y), r.Value, 1e-12);
        Assert.Equal((1, 50L), (r.Batches, r.Samples));
    }

    [Fact]
    public void ManyEqualBatchesMatchFullDataCka()
    {
        // 100 batches of 400 from 40,000 samples. In numpy simulations of this setup the minibatch estimate differs
        // from full-data debiased CKA with sd ≈ 2e-4 (it is unbiased for the same population CKA, just noisier).
        var (x, y) = RelatedPair(40_000, 10, 8, seed: 5, noise: 0.5);
        var mb = new MinibatchCka();
        for (int start = 0; start < 40_000; start += 400)
            mb.Add(x.SubMatrix(start, 400, 0, 10), y.SubMatrix(start, 400, 0, 8));
        var r = mb.Result();
        Assert.Equal(100, r.Batches);
        double full = new DebiasedCka().Compute(x, y);
        Assert.InRange(full, 0.2, 0.9);
        Assert.Equal(full, r.Value, 1e-3);
        Assert.Equal(new LinearCka().Compute(x, y), r.Value, 1e-3);
    }

    [Fact]
    public void AveragingBiasedCkaOverSmallBatchesWouldBeBiased()
    {
        // The reason to accumulate unbiased HSIC: the mean of per-batch biased CKA over batches of 16 is far off.
        var (x, y) = RelatedPair(4_000, 10, 8, seed: 6, noise: 0.5);
        var mb = new MinibatchCka();
        double meanBiased = 0;
        for (int start = 0; start < 4_000; start += 16)
        {
            Matrix<double> xb = x.SubMatrix(start, 16, 0, 10), yb = y.SubMatrix(start, 16, 0, 8);
            mb.Add(xb, yb);
            meanBiased += new LinearCka().Compute(xb, yb) / 250;
        }
        double full = new LinearCka().Compute(x, y);
        Assert.Equal(full, mb.Result().Value, 0.02);
        Assert.True(Math.Abs(meanBiased - full) > 0.05, $"mean of biased per-batch CKA {meanBiased} vs full {full}");
    }

    [Fact]
    public void EmptyAndInconsistentInputsGiveClearErrors()
    {
        var mb = new MinibatchCka();
        Assert.Contains("no minibatch", Assert.Throws<InvalidOperationException>(() => mb.Result()).Message);
        var (x, y) = RelatedPair(20, 4, 3, seed: 9);
        mb.Add(x, y);
        var e = Assert.Throws<ArgumentException>(() => mb.Add(x.SubMatrix(0, 20, 0, 3), y));
        Assert.Contains("earlier batches had 4 and 3", e.Message);
        Assert.Contains("at least 4 samples", Assert.Throws<ArgumentException>(() => mb.Add(x.SubMatrix(0, 3, 0, 4), y.SubMatrix(0, 3, 0, 3))).Message);
    }
}
