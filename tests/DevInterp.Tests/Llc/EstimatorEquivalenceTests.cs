using DevInterp.Llc;
using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// The estimator gives the same numbers on a <see cref="BatchedPotential"/> over a chain model as on a
/// <see cref="ModulePotential"/> over the TorchSharp module (chains in turn), for the same seed: per-chain estimates and
/// every trace agree to 1e-9 relative in float64, full batch and minibatch.
/// </summary>
public class EstimatorEquivalenceTests
{
    private const long N = 48;

    public static IEnumerable<object[]> Cases() =>
        from name in new[] { "mlp-relu-bias", "mlp-gelu-contiguous", "dln", "tms", "gpt-tied", "gpt-untied-noln-relu" }
        from batch in new int?[] { null, 12 }
        select new object[] { name, batch! };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchedAndModulePotentialsGiveTheSameEstimate(string name, int? batch)
    {
        var spec = ChainModelSpecs.All[name];
        var (batched, perModule) = Estimate(spec, batch, pattern: null);
        AssertSame(batched, perModule, name);
        Assert.Equal(batch ?? N, batched.BatchSize);
    }

    [Theory]
    [InlineData("gpt-tied", @"^h\.1\.mlp\.")]
    [InlineData("mlp-relu-bias", @"^layers\.2\.")]
    public void SameEstimateWhenOnlySomeParametersAreSampled(string name, string pattern)
    {
        var (batched, perModule) = Estimate(ChainModelSpecs.All[name], 12, pattern);
        AssertSame(batched, perModule, name);
        Assert.True(batched.Dimension < ChainModelSpecs.All[name].ParameterCount);
    }

    private static (LlcResult Batched, LlcResult Module) Estimate(ModelSpec spec, int? batch, string? pattern)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(7);
        var (x, y) = ChainModelSpecs.Data(spec, N, gen);
        var data = new SupervisedData(x, y);
        IChainLoss loss = spec is TransformerSpec ? new CrossEntropyChainLoss() : new SquaredErrorLoss();
        using var module = spec.Build(5, ScalarType.Float64);
        var center = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var options = new LlcOptions(Chains: 2, Draws: 12, BurnIn: 10, StepSize: 2e-3, BatchSize: batch, Seed: 11,
            TargetRelativeError: null, ParameterPattern: pattern);
        var estimator = new LlcEstimator(options);
        LlcResult a, b;
        using (var potential = new BatchedPotential(ChainModels.For(spec)!, center, data, loss, pattern, ScalarType.Float64))
            a = estimator.Estimate(potential);
        using (var potential = new ModulePotential(module, data, loss, pattern))
            b = estimator.Estimate(potential);
        return (a, b);
    }

    internal static void AssertSame(LlcResult a, LlcResult b, string what)
    {
        Assert.Equal(a.Dimension, b.Dimension);
        Assert.Equal(a.PerChain.Count, b.PerChain.Count);
        for (int c = 0; c < a.PerChain.Count; c++)
        {
            Assert.True(double.IsFinite(a.PerChain[c]), $"{what}: chain {c} estimate is {a.PerChain[c]}");
            Close(a.PerChain[c], b.PerChain[c], $"{what}: chain {c} estimate");
            Traces(a.LossTraces[c], b.LossTraces[c], $"{what}: chain {c} loss trace");
            Traces(a.CenterLossTraces[c], b.CenterLossTraces[c], $"{what}: chain {c} center loss trace");
            Traces(a.ControlVariateTraces[c], b.ControlVariateTraces[c], $"{what}: chain {c} control variate trace");
            // Not vacuous: the chains moved, so the loss changes from draw to draw.
            Assert.True(a.LossTraces[c].Max() - a.LossTraces[c].Min() > 1e-8, $"{what}: chain {c} did not move");
        }
        Close(a.Mean, b.Mean, $"{what}: mean");
    }

    private static void Traces(double[] a, double[] b, string what)
    {
        Assert.Equal(a.Length, b.Length);
        double scale = Math.Max(1e-6, a.Max(Math.Abs));
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-9 * scale, $"{what}[{i}]: {a[i]:R} vs {b[i]:R}");
    }

    private static void Close(double a, double b, string what) =>
        Assert.True(Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b)), $"{what}: {a:R} vs {b:R}");
}
