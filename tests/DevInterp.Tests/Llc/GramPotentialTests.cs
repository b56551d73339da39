using DevInterp.Llc.Potentials;
using DevInterp.Llc.Validation;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// The validation cases' full-batch potentials from the data's moments compute the same L_n and ∇L_n as the data path
/// (forward and backward passes over the samples), at w* and away from it.
/// </summary>
public class GramPotentialTests
{
    [Theory]
    [InlineData("regression-d10")]
    [InlineData("normal-crossing-2-3")]
    [InlineData("rrr-6-4-6-r2")]
    [InlineData("dln-10-8-8-10-r2")]
    public void TheGramPotentialEqualsTheDataPath(string name)
    {
        using var scope = NewDisposeScope();
        var validationCase = LlcValidationSuite.Cases().Single(c => c.Name == name);
        using var problem = validationCase.Build(2);
        using var gram = problem.FullBatchPotential();
        using var data = problem.Potential();
        Assert.IsAssignableFrom<IFullBatchPotential>(gram);
        Assert.Equal(data.Dimension, gram.Dimension);
        Assert.Equal(data.Center.data<double>().ToArray(), gram.Center.data<double>().ToArray());
        using var gen = new Generator(5);
        // Row 0 at w*, the others at increasing distances (w* of a normal crossing is 0, where its gradient vanishes).
        var offsets = randn([4, data.Dimension], dtype: ScalarType.Float64, generator: gen) * tensor(new[] { 0.0, 0.01, 0.1, 0.5 }, dtype: ScalarType.Float64).unsqueeze(1);
        var weights = data.Center.unsqueeze(0) + offsets;
        var gramGradient = zeros_like(weights);
        var dataGradient = zeros_like(weights);
        var gramLoss = gram.Loss(weights, null, gramGradient).data<double>().ToArray();
        var dataLoss = data.Loss(weights, null, dataGradient).data<double>().ToArray();
        for (int c = 0; c < 4; c++) Assert.Equal(dataLoss[c], gramLoss[c], 1e-10 * Math.Max(1, Math.Abs(dataLoss[c])));
        Assert.True(allclose(gramGradient, dataGradient, rtol: 1e-8, atol: 1e-10), $"{name}: gradients differ by {(gramGradient - dataGradient).abs().max().item<double>():G3}");
        // The loss differences, which the estimate is made of, agree to far below λ/nβ.
        Assert.Equal(dataLoss[1] - dataLoss[0], gramLoss[1] - gramLoss[0], 1e-12);
    }

    [Fact]
    public void TheGramPotentialHasNoMinibatches()
    {
        var validationCase = LlcValidationSuite.Cases().Single(c => c.Name == "rrr-6-4-6-r2");
        using var problem = validationCase.Build(1);
        using var gram = problem.FullBatchPotential();
        var e = Assert.Throws<ArgumentException>(() => new DevInterp.Llc.LlcEstimator(new DevInterp.Llc.LlcOptions(StepSize: 1e-4, BatchSize: 100, Draws: 4, BurnIn: 0,
            TargetRelativeError: null)).Estimate(gram));
        Assert.Contains("sufficient statistics", e.Message);
    }
}
