using DevInterp.Llc;
using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// With control variates the estimator evaluates the chains and w* in one potential call for small models and in two
/// calls for larger ones (batch × sampled values above 2¹⁸); both ways give the module path's numbers (1e-9, float64).
/// </summary>
public class ControlVariatePathTests
{
    [Theory]
    [InlineData(new long[] { 6, 5, 4 }, 16)]        // 16 × 50 values: one call
    [InlineData(new long[] { 40, 30, 20 }, 256)]    // 256 × 1,800 values > 2¹⁸: two calls
    public void EstimatesMatchTheModulePathEitherWay(long[] widths, int batch)
    {
        using var scope = NewDisposeScope();
        var spec = new DlnSpec(widths, InitScale: 0.3);
        using var gen = new Generator(9);
        var (x, y) = ChainModelSpecs.Data(spec, 600, gen);
        var data = new SupervisedData(x, y);
        var loss = new SquaredErrorLoss();
        using var module = spec.Build(3, ScalarType.Float64);
        var center = module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var options = new LlcOptions(Chains: 2, Draws: 8, BurnIn: 4, StepSize: 1e-4, BatchSize: batch, Seed: 13, TargetRelativeError: null);
        var estimator = new LlcEstimator(options);
        LlcResult a, b;
        using (var potential = new BatchedPotential(ChainModels.For(spec)!, center, data, loss, dtype: ScalarType.Float64))
            a = estimator.Estimate(potential);
        using (var potential = new ModulePotential(module, data, loss))
            b = estimator.Estimate(potential);
        EstimatorEquivalenceTests.AssertSame(a, b, $"dln {string.Join("-", widths)}, batch {batch}");
        Assert.All(a.ControlVariateTraces, t => Assert.Contains(t, v => v != 0)); // the control variate is in use
    }
}
