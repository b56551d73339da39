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
/// keeps one 2-value tensor per call shows a 42 MiB trend.) Full-batch MALA, MALA on minibatches (control variates, a
/// Metropolis test on each step's batch through a new evaluator per step) and full-batch pCNL, the run-level default.
/// </summary>
[Collection(MemoryMeasurement.Name)]
public class EstimatorMemoryTests(ITestOutputHelper output)
{
    private const long Steps = 100_000;

    [Theory]
    [InlineData(null, "mala")]
    [InlineData(8, "mala")]
    [InlineData(null, "pcnl")]
    public void ResidentMemoryStaysFlatOverAHundredThousandSteps(int? batchSize, string sampler)
    {
        // In a child process of its own: resident memory is the process's, and in the test host other tests' threads,
        // caches and garbage moved it by several MiB (a 4.4 MiB "trend" once, 0.03–0.11 MiB alone).
        var (code, line, err) = RunChild("memory-trend", batchSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "full", sampler);
        Assert.True(code == 0, err);
        var m = System.Text.Json.JsonSerializer.Deserialize<Measured>(line)!;
        output.WriteLine($"{sampler}, batch {m.Batch}: trend {m.TrendMiB:F2} MiB, largest rise {m.RiseMiB:F2} MiB, first {m.FirstMiB} MiB");
        Assert.Equal(sampler, m.Sampler);
        Assert.Equal(batchSize ?? 32, m.Batch);
        Assert.True(m.Finite, "every chain's estimate is finite");
        Assert.True(m.Samples >= 100, $"only {m.Samples} memory samples");
        Assert.True(m.TrendMiB < 3, $"resident memory trends up by {m.TrendMiB:F1} MiB over {Steps} steps (largest rise {m.RiseMiB:F1} MiB)");
        Assert.True(m.RiseMiB < 8, $"resident memory rose by {m.RiseMiB:F1} MiB within {Steps} steps");
    }

    private static (int Code, string Out, string Err) RunChild(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(EstimatorMemoryTests).Assembly.Location);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["OMP_NUM_THREADS"] = "1";
        using var child = Process.Start(info)!;
        var err = child.StandardError.ReadToEndAsync();
        string line = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();
        return (child.ExitCode, line, err.Result);
    }

    /// <summary>What the child measures.</summary>
    public sealed record Measured(string Sampler, long Batch, bool Finite, int Samples, double TrendMiB, double RiseMiB, long FirstMiB);

    /// <summary>
    /// The child (<c>dotnet exec DevInterp.Tests.dll memory-trend BATCH|full SAMPLER</c>): 10⁵ steps, resident memory
    /// sampled every 1,000; prints one JSON <see cref="Measured"/>.
    /// </summary>
    internal static int Child(string batch, string sampler)
    {
        int? batchSize = batch == "full" ? null : int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture);
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
            TargetRelativeError: null, BatchSize: batchSize, Localization: 1, Sampler: DevInterp.Analysis.LlcSettings.ParseSampler(sampler));
        var samples = new MemorySamples();
        var result = new LlcEstimator(options).Estimate(potential, samples);

        // Ignore the first 30% (allocator warm-up: a few MiB over the first ~10⁴ steps), then fit a line through
        // resident memory against step. A leak of even 50 bytes per step would show as a 3 MiB trend.
        var kept = samples.Points.Where(p => p.Step > 3 * Steps / 10).ToList();
        double meanStep = kept.Average(p => (double)p.Step), meanBytes = kept.Average(p => (double)p.Bytes);
        double slope = kept.Sum(p => (p.Step - meanStep) * (p.Bytes - meanBytes)) / kept.Sum(p => Math.Pow(p.Step - meanStep, 2));
        double trendMiB = slope * (kept[^1].Step - kept[0].Step) / (1 << 20);
        // Largest rise from any earlier sample to a later one: memory the allocator hands back to the system (a
        // shrinking heap) makes resident memory fall, which is not a leak; only growth counts.
        long lowest = long.MaxValue, rise = 0;
        foreach (var (_, bytes) in kept)
        {
            lowest = Math.Min(lowest, bytes);
            rise = Math.Max(rise, bytes - lowest);
        }
        var measured = new Measured(DevInterp.Storage.StoreEnums.Format(result.Options.Sampler), result.BatchSize,
            result.PerChain.All(double.IsFinite), kept.Count, trendMiB, rise / (double)(1 << 20), kept[0].Bytes >> 20);
        Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(measured));
        return 0;
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
