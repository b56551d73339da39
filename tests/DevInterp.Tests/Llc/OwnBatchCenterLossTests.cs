using DevInterp.Llc;
using DevInterp.Llc.Validation;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// λ̂ = nβ·(L_b(w_t) − L_b(w*)) with L(w*) measured on each draw's own minibatch b. Linear regression with d = 4 inputs
/// (λ = d/2 = 2), n = 10⁴, batches of 16, nβ ≈ 1086: one batch's loss at w* differs from another's by about
/// nβ·sd(L_b) ≈ 190 in λ units, a hundred times λ. The estimator recovers λ; the same traces with L(w*) taken on one
/// other batch are off by nβ·(L_n(w*) − L_b'(w*)), as predicted, and with the full-data L(w*) each chain's value
/// scatters by nβ·sd(L_b)/√draws.
/// </summary>
public class OwnBatchCenterLossTests(ITestOutputHelper output)
{
    [Fact]
    public void MeasuringLAtTheCenterOnTheDrawsOwnBatchesRemovesTheBatchToBatchDifference()
    {
        using var scope = NewDisposeScope();
        var regression = LlcValidationSuite.Regression(4);
        using var problem = regression.Build(1);
        using var potential = problem.Potential();
        var options = new LlcOptions(Chains: 4, Draws: 2000, BurnIn: 200, StepSize: 1e-4, BatchSize: 16, Seed: 5, TargetRelativeError: null);
        var result = new LlcEstimator(options).Estimate(potential);
        double nBeta = result.NBeta, lambda = regression.TrueLambda;
        Assert.Equal(16, result.BatchSize);

        // 1. The estimator (own batches) is unbiased: within 10% of d/2.
        Assert.True(Math.Abs(result.Mean - lambda) < 0.1 * lambda, $"λ̂ = {result.Mean:F3}, λ = {lambda}");

        // The center losses really come from different batches: they scatter as one batch's mean loss does.
        var centerLosses = result.CenterLossTraces.SelectMany(t => t).ToArray();
        double batchSd = Sd(centerLosses);
        Assert.True(nBeta * batchSd > 50 * lambda, $"nβ·sd(L_b(w*)) = {nBeta * batchSd:F1} is not large against λ");

        // 2. L(w*) on one other batch b' (drawn independently): biased by nβ·(L_n(w*) − L_b'(w*)) however many draws.
        using var gen = new Generator(99);
        var other = randint(potential.SampleCount, [1, 16], dtype: ScalarType.Int64, generator: gen);
        var center = potential.Center.unsqueeze(0);
        double otherBatch = potential.Loss(center, other, null).item<double>();
        double fullData = potential.Loss(center, null, null).item<double>();
        double drawTerm = Enumerable.Range(0, options.Chains)
            .Average(c => result.LossTraces[c].Zip(result.ControlVariateTraces[c], (l, v) => l - v).Average());
        double wrong = nBeta * (drawTerm - otherBatch);
        double predictedOffset = nBeta * (fullData - otherBatch);
        double noise = nBeta * batchSd / Math.Sqrt(centerLosses.Length); // sd of the mean batch loss over the draws
        output.WriteLine($"λ̂ = {result.Mean:F3} (per chain sd {Sd(result.PerChain.ToArray()):F3}); nβ·sd(L_b) = {nBeta * batchSd:F1}; " +
            $"fixed other batch: {wrong:F2}, predicted {lambda + predictedOffset:F2} ± {noise:F2}");
        Assert.True(Math.Abs(predictedOffset) > 10 * lambda, $"the chosen batch differs too little: offset {predictedOffset:F1}");
        Assert.True(Math.Abs(wrong - lambda) > 10 * Math.Abs(result.Mean - lambda));
        Assert.True(Math.Abs(wrong - (lambda + predictedOffset)) < 4 * noise + 0.1 * lambda,
            $"fixed other batch: {wrong:F2}, predicted λ + offset = {lambda + predictedOffset:F2} (noise {noise:F2})");

        // 3. L(w*) on the full data: no offset on average, but each chain's value scatters with the batch losses.
        var fullDataPerChain = Enumerable.Range(0, options.Chains)
            .Select(c => nBeta * (result.LossTraces[c].Zip(result.ControlVariateTraces[c], (l, v) => l - v).Average() - fullData)).ToArray();
        output.WriteLine($"full-data L(w*): per chain {string.Join(", ", fullDataPerChain.Select(v => v.ToString("F2")))}");
        Assert.True(Sd(fullDataPerChain) > 5 * Sd(result.PerChain.ToArray()),
            $"per-chain sd with full-data L(w*) {Sd(fullDataPerChain):F2} vs own batches {Sd(result.PerChain.ToArray()):F2}");
    }

    private static double Sd(double[] v)
    {
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
    }
}
