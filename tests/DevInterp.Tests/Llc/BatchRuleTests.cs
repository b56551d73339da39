using DevInterp.Llc;

namespace DevInterp.Tests.Llc;

/// <summary>
/// The automatic batch size never picks a minibatch step that costs as much as a full-batch step: with control
/// variates a minibatch step takes two gradients of m samples, so the full batch is chosen whenever n ≤ 2m.
/// </summary>
public class BatchRuleTests
{
    [Fact]
    public void TheGrokkingSizedTaskRunsFullBatch()
    {
        // 396 training pairs, 24,095 parameters: n·D is above the budget and the budget's batch is 256, but two gradients
        // of 256 samples cost more than one of 396.
        var options = new LlcOptions();
        Assert.Equal(396, options.ResolveBatchSize(396, 24_095));
        // Without control variates a minibatch step is one gradient: 256 < 396 stays cheaper.
        Assert.Equal(256, (options with { ControlVariates = false }).ResolveBatchSize(396, 24_095));
        // Large training sets still get minibatches, and a given batch size is kept.
        Assert.Equal(256, options.ResolveBatchSize(10_000, 24_095));
        Assert.Equal(100, (options with { BatchSize = 100 }).ResolveBatchSize(396, 24_095));
        Assert.Equal(396, (options with { BatchSize = 1000 }).ResolveBatchSize(396, 24_095));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheChosenStepNeverCostsMoreThanTheFullBatch(bool controlVariates)
    {
        var options = new LlcOptions(ControlVariates: controlVariates);
        int gradients = controlVariates ? 2 : 1;
        foreach (long n in new long[] { 1, 10, 255, 256, 300, 511, 512, 513, 1000, 5000, 100_000 })
        {
            foreach (long d in new long[] { 2, 100, 4096, 16_384, 24_095, 100_000, 1_000_000 })
            {
                long b = options.ResolveBatchSize(n, d);
                Assert.InRange(b, 1, n);
                if (b < n)
                {
                    // A minibatch only when its step (gradients × b samples) is cheaper than one full-batch gradient,
                    // and only when a full pass is above the budget.
                    Assert.True(gradients * b < n, $"n {n}, D {d}: batch {b} costs {gradients * b} ≥ {n}");
                    Assert.True(n * d > LlcOptions.AutoBatchBudget, $"n {n}, D {d}: minibatch although a full pass is cheap");
                }
            }
        }
    }
}
