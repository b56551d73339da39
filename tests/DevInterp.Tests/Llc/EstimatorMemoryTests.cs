using System.Diagnostics;
using Xunit.Abstractions;
using DevInterp.Llc;
using DevInterp.Llc.Validation;
using DevInterp.Llc.Potentials;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>Tests that measure the process's resident memory run alone, so other tests' allocations do not show up.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    /// <summary>The collection name.</summary>
    public const string Name = "memory measurement";
}

/// <summary>
/// 10⁵ sampler steps leave resident memory flat: nothing per step outlives the step. (Checked to fail: a potential that
/// keeps one 2-value tensor per call shows a 42 MiB trend.) Both paths of the default sampler: full-batch MALA, and
/// MALA on minibatches (control variates, a Metropolis test on each step's batch through a new evaluator per step).
/// </summary>
[Collection(MemoryMeasurement.Name)]
public class EstimatorMemoryTests(ITestOutputHelper output)
{
    private const long Steps = 100_000;

    [Theory]
    [InlineData(null)]
    [InlineData(8)]
    public void ResidentMemoryStaysFlatOverAHundredThousandSteps(int? batchSize)
    {
        using var scope = NewDisposeScope();
        // The smallest model (linear regression, 2 weights) keeps 10⁵ steps quick; the estimator's per-step work is
        // the same for any model.
        using var gen = new Generator(1);
        var x = randn([32, 2], dtype: ScalarType.Float64, generator: gen);
        var y = x.sum(1, keepdim: true);
        var center = new Dictionary<string, Tensor> { ["weight"] = ones(1, 2, dtype: ScalarType.Float64) };
        using var potential = new BatchedPotential(new LinearChainModel(2, 1), center, new SupervisedData(x, y),
            new SquaredErrorLoss(), dtype: ScalarType.Float64);
        // One draw per 1,000 steps: the traces stay a few kilobytes, so any growth is a leak.
        var options = new LlcOptions(Chains: 2, Draws: 100, BurnIn: 0, StepsBetweenDraws: (int)(Steps / 100), StepSize: 1e-3,
            TargetRelativeError: null, BatchSize: batchSize);
        var samples = new MemorySamples();
        var result = new LlcEstimator(options).Estimate(potential, samples);
        Assert.Equal(Steps, options.TotalSteps);
        Assert.Equal(SamplerKind.Mala, result.Options.Sampler);
        Assert.Equal(batchSize ?? 32, result.BatchSize);
        Assert.All(result.PerChain, v => Assert.True(double.IsFinite(v)));

        // Ignore the first 30% (allocator warm-up: a few MiB over the first ~10⁴ steps), then fit a line through
        // resident memory against step. A leak of even 50 bytes per step would show as a 3 MiB trend.
        var kept = samples.Points.Where(p => p.Step > 3 * Steps / 10).ToList();
        Assert.True(kept.Count >= 100, $"only {kept.Count} memory samples");
        double meanStep = kept.Average(p => (double)p.Step), meanBytes = kept.Average(p => (double)p.Bytes);
        double slope = kept.Sum(p => (p.Step - meanStep) * (p.Bytes - meanBytes)) / kept.Sum(p => Math.Pow(p.Step - meanStep, 2));
        double trendMiB = slope * (kept[^1].Step - kept[0].Step) / (1 << 20);
        // Largest rise from any earlier sample to a later one: memory the allocator hands back to the system (other
        // tests' garbage, a shrinking heap) makes resident memory fall, which is not a leak; only growth counts.
        long lowest = long.MaxValue, rise = 0;
        foreach (var (_, bytes) in kept)
        {
            lowest = Math.Min(lowest, bytes);
            rise = Math.Max(rise, bytes - lowest);
        }
        double riseMiB = rise / (double)(1 << 20);
        output.WriteLine($"batch {result.BatchSize}: trend {trendMiB:F2} MiB, largest rise {riseMiB:F2} MiB, first {kept[0].Bytes >> 20} MiB");
        Assert.True(trendMiB < 3, $"resident memory trends up by {trendMiB:F1} MiB over {Steps} steps (largest rise {riseMiB:F1} MiB)");
        Assert.True(riseMiB < 8, $"resident memory rose by {riseMiB:F1} MiB within {Steps} steps");
    }

    private sealed class MemorySamples : IProgress<LlcProgress>
    {
        public List<(long Step, long Bytes)> Points { get; } = [];

        public void Report(LlcProgress value)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            Points.Add((value.Step, process.WorkingSet64));
        }
    }
}
