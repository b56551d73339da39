using DevInterp.Llc;
using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// <see cref="BatchedPotential"/>'s loss at w* from its per-sample table (<see cref="ICenterLossLookup"/>) equals a
/// forward pass at w* on the same minibatches (1e-12, float64), for every chain model and loss shape; and an estimate
/// without control variates (where the estimator uses the table) equals the chains-in-turn module path's.
/// </summary>
public class CenterLossLookupTests
{
    private const long N = 30;

    public static IEnumerable<object[]> Names() =>
        new[] { "mlp-relu-bias", "mlp-tanh-nobias", "dln", "tms", "gpt-tied", "gpt-untied-noln-relu" }.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void TableLookupEqualsAForwardPassAtTheCenter(string name)
    {
        using var scope = NewDisposeScope();
        var spec = ChainModelSpecs.All[name];
        using var gen = new Generator(3);
        var (x, y) = ChainModelSpecs.Data(spec, N, gen);
        using var module = spec.Build(4, ScalarType.Float64);
        var center = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        IChainLoss[] losses = spec is TransformerSpec
            ? [new CrossEntropyChainLoss()]
            : [new SquaredErrorLoss(), new GaussianNllLoss(0.3), new WeightedSquaredErrorLoss(Enumerable.Repeat(1.5, (int)spec.OutputSize).ToArray())];
        foreach (var loss in losses)
        {
            using var potential = new BatchedPotential(ChainModels.For(spec)!, center, new SupervisedData(x, y), loss, dtype: ScalarType.Float64);
            var indices = randint(N, [4, 7], dtype: ScalarType.Int64, generator: gen);
            var looked = potential.CenterLoss(indices);
            var computed = potential.Loss(potential.Center.unsqueeze(0).expand(4, potential.Dimension), indices, null);
            Assert.Equal(new long[] { 4 }, looked.shape);
            double diff = (looked - computed).abs().max().item<double>();
            Assert.True(diff <= 1e-12 * Math.Max(1, computed.abs().max().item<double>()), $"{name} × {loss.Name}: differ by {diff:g3}");
            // Not vacuous: the batches' losses differ.
            Assert.True((computed.max() - computed.min()).item<double>() > 1e-6, $"{name} × {loss.Name}: all batches have the same loss");
        }
    }

    [Fact]
    public void LastPositionLossOfASequenceModelIsLookedUpToo()
    {
        using var scope = NewDisposeScope();
        var spec = ChainModelSpecs.All["gpt-tied"];
        using var gen = new Generator(8);
        var x = randint(7, [N, 6], dtype: ScalarType.Int64, generator: gen);
        var y = randint(7, [N], dtype: ScalarType.Int64, generator: gen);
        using var module = spec.Build(4, ScalarType.Float64);
        var center = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var potential = new BatchedPotential(ChainModels.For(spec)!, center, new SupervisedData(x, y), new LastPositionCrossEntropyLoss(),
            dtype: ScalarType.Float64);
        var indices = randint(N, [3, 5], dtype: ScalarType.Int64, generator: gen);
        var looked = potential.CenterLoss(indices);
        var computed = potential.Loss(potential.Center.unsqueeze(0).expand(3, potential.Dimension), indices, null);
        Assert.True((looked - computed).abs().max().item<double>() <= 1e-12);
    }

    [Theory]
    [InlineData("mlp-relu-bias")]
    [InlineData("tms")]
    [InlineData("gpt-tied")]
    public void EstimateWithoutControlVariatesMatchesTheModulePath(string name)
    {
        using var scope = NewDisposeScope();
        var spec = ChainModelSpecs.All[name];
        using var gen = new Generator(7);
        var (x, y) = ChainModelSpecs.Data(spec, 48, gen);
        var data = new SupervisedData(x, y);
        IChainLoss loss = spec is TransformerSpec ? new CrossEntropyChainLoss() : new SquaredErrorLoss();
        using var module = spec.Build(5, ScalarType.Float64);
        var center = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var options = new LlcOptions(Chains: 2, Draws: 12, BurnIn: 10, StepSize: 2e-3, BatchSize: 12, Seed: 11,
            TargetRelativeError: null, ControlVariates: false, Sampler: SamplerKind.Sgld); // minibatches without control variates: an unadjusted sampler
        var estimator = new LlcEstimator(options);
        LlcResult a, b;
        using (var potential = new BatchedPotential(ChainModels.For(spec)!, center, data, loss, dtype: ScalarType.Float64))
            a = estimator.Estimate(potential);
        using (var potential = new ModulePotential(module, data, loss))
            b = estimator.Estimate(potential);
        EstimatorEquivalenceTests.AssertSame(a, b, name);
        Assert.All(a.ControlVariateTraces, t => Assert.All(t, v => Assert.Equal(0.0, v)));
    }
}
