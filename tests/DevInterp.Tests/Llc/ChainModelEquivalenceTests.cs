using DevInterp.Llc.Models;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// Each built-in spec's chain model computes, for chain c, exactly what the TorchSharp module computes with chain c's
/// weights (float64, 1e-10), with the module's parameter names and order.
/// </summary>
public class ChainModelEquivalenceTests
{
    private const long Chains = 3;

    [Theory]
    [MemberData(nameof(ChainModelSpecs.Names), MemberType = typeof(ChainModelSpecs))]
    public void ParametersAreTheModulesNamedParameters(string name)
    {
        var spec = ChainModelSpecs.All[name];
        using var module = spec.Build(1, ScalarType.Float64);
        var chain = ChainModels.For(spec);
        Assert.NotNull(chain);
        Assert.Equal(module.named_parameters().Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]"),
            chain!.ParameterShapes.Select(p => $"{p.Name} [{string.Join(", ", p.Shape)}]"));
    }

    [Theory]
    [MemberData(nameof(ChainModelSpecs.Names), MemberType = typeof(ChainModelSpecs))]
    public void EachChainMatchesTheModuleWithItsWeights(string name)
    {
        using var scope = NewDisposeScope();
        var spec = ChainModelSpecs.All[name];
        using var module = spec.Build(1, ScalarType.Float64);
        var chain = ChainModels.For(spec)!;
        using var gen = new Generator(42);
        // Weights far from initialisation (LayerNorm gains around 1), different for every chain.
        var weights = chain.ParameterShapes.Select(p => p.Name.Contains("ln_") && p.Name.EndsWith(".weight")
            ? 1 + 0.3 * randn([Chains, .. p.Shape], dtype: ScalarType.Float64, generator: gen)
            : 0.5 * randn([Chains, .. p.Shape], dtype: ScalarType.Float64, generator: gen)).ToList();
        var inputs = ChainModelSpecs.Inputs(spec, Chains, 5, gen);
        var batched = chain.Forward(weights, inputs);

        var parameters = module.named_parameters().Select(p => p.parameter).ToList();
        for (long c = 0; c < Chains; c++)
        {
            using (no_grad())
            {
                for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(weights[i][c]);
            }
            using var _ = no_grad();
            var expected = module.call(inputs[c]);
            Assert.Equal(expected.shape, batched[c].shape);
            double diff = (expected - batched[c]).abs().max().item<double>();
            Assert.True(diff <= 1e-10, $"{name} chain {c}: max |difference| {diff:g3}");
            Assert.True(expected.abs().max().item<double>() > 1e-2, $"{name} chain {c}: output is trivially small");
        }
        // The chains really use their own weights: their outputs differ.
        Assert.True((batched[0] - batched[1]).abs().max().item<double>() > 1e-3);
    }

    [Fact]
    public void ExpandedParametersAreReadNotWritten()
    {
        // BatchedPotential passes unsampled parameters as expanded views of w*: the forward must accept them.
        using var scope = NewDisposeScope();
        var spec = ChainModelSpecs.All["gpt-tied"];
        var chain = ChainModels.For(spec)!;
        using var gen = new Generator(3);
        var single = chain.ParameterShapes.Select(p => 0.5 * randn(p.Shape, dtype: ScalarType.Float64, generator: gen)).ToList();
        var expanded = single.Select(t => t.unsqueeze(0).expand([Chains, .. t.shape])).ToList();
        var copied = expanded.Select(t => t.contiguous()).ToList();
        var inputs = ChainModelSpecs.Inputs(spec, Chains, 4, gen);
        var a = chain.Forward(expanded, inputs);
        var b = chain.Forward(copied, inputs);
        Assert.Equal(0.0, (a - b).abs().max().item<double>());
    }

    [Fact]
    public void BadInputsGetClearErrors()
    {
        using var scope = NewDisposeScope();
        var mlp = ChainModels.For(new MlpSpec([4, 3]))!;
        var w = mlp.ParameterShapes.Select(p => zeros([2, .. p.Shape], dtype: ScalarType.Float64)).ToList();
        var e = Assert.Throws<ArgumentException>(() => mlp.Forward(w, zeros([2, 5, 3], dtype: ScalarType.Float64)));
        Assert.Contains("inputs: mlp expects [chains=2, batch, ..., 4], got [2, 5, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => mlp.Forward(w.Take(1).ToList(), zeros([2, 5, 4], dtype: ScalarType.Float64)));
        Assert.Contains("expected 2 tensors (layers.0.weight, layers.0.bias), got 1", e.Message);

        var gptSpec = new TransformerSpec(7, 4, 8, 2, 1, 8);
        var gpt = ChainModels.For(gptSpec)!;
        var g = gpt.ParameterShapes.Select(p => zeros([1, .. p.Shape], dtype: ScalarType.Float64)).ToList();
        e = Assert.Throws<ArgumentException>(() => gpt.Forward(g, full([1, 2, 3], 7L, dtype: ScalarType.Int64)));
        Assert.Contains("token ids must lie in [0, 7), got values from 7 to 7", e.Message);
        e = Assert.Throws<ArgumentException>(() => gpt.Forward(g, zeros([1, 2, 5], dtype: ScalarType.Int64)));
        Assert.Contains("sequence length 5 exceeds the model's context 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => gpt.Forward(g, zeros([1, 2, 3], dtype: ScalarType.Float32)));
        Assert.Contains("int64 token ids", e.Message);
    }
}
