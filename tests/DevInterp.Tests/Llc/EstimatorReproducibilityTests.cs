using DevInterp.Llc;
using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>Equal seeds give bit-identical estimates; different seeds do not.</summary>
public class EstimatorReproducibilityTests
{
    [Theory]
    [InlineData("mlp-relu-bias", 8, 0.002)]   // minibatch with control variates, given step size
    [InlineData("gpt-tied", 8, 0.002)]
    [InlineData("tms", null, null)]           // full batch, calibrated step size, adaptive length
    public void SameSeedGivesIdenticalTraces(string name, int? batch, double? stepSize)
    {
        var options = new LlcOptions(Chains: 2, Draws: 60, BurnIn: 20, StepSize: stepSize, BatchSize: batch, Seed: 21,
            TargetRelativeError: stepSize is null ? 0.05 : null, MaxDraws: 300);
        var first = Run(name, options);
        var second = Run(name, options);
        Assert.Equal(first.StepSize, second.StepSize);
        Assert.Equal(first.PerChain, second.PerChain);
        for (int c = 0; c < options.Chains; c++)
        {
            Assert.Equal(first.LossTraces[c], second.LossTraces[c]);
            Assert.Equal(first.CenterLossTraces[c], second.CenterLossTraces[c]);
            Assert.Equal(first.ControlVariateTraces[c], second.ControlVariateTraces[c]);
        }
        var other = Run(name, options with { Seed = 22, StepSize = first.StepSize, TargetRelativeError = null });
        Assert.NotEqual(first.LossTraces[0][..10], other.LossTraces[0][..10]);
    }

    private static LlcResult Run(string name, LlcOptions options)
    {
        using var scope = NewDisposeScope();
        var spec = ChainModelSpecs.All[name];
        using var gen = new Generator(4);
        var (x, y) = ChainModelSpecs.Data(spec, 40, gen);
        using var module = spec.Build(2, ScalarType.Float64);
        var center = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        IChainLoss loss = spec is TransformerSpec ? new CrossEntropyChainLoss() : new SquaredErrorLoss();
        using var potential = new BatchedPotential(ChainModels.For(spec)!, center, new SupervisedData(x, y), loss, dtype: ScalarType.Float32);
        return new LlcEstimator(options).Estimate(potential);
    }
}
