using DevInterp.Checkpoints;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Models;

/// <summary>
/// Our modules, loaded with weights PyTorch 1.13 generated (Fixtures/models/make_model_fixtures.py), reproduce
/// PyTorch's recorded forward passes: the architectures and parameter layouts match PyTorch's exactly.
/// </summary>
public class PyTorchParityTests
{
    private const double Tolerance = 1e-5;

    internal static string Fixture(string name) => TestPaths.Fixture(Path.Combine("models", name));

    internal static void AssertClose(Tensor expected, Tensor actual, string what, double tolerance = Tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        double maxDiff = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(maxDiff <= tolerance, $"{what}: max |difference| {maxDiff:g3} > {tolerance:g3}");
        // Guard against vacuous agreement (e.g. all zeros on both sides).
        Assert.True(expected.abs().max().item<float>() > 1e-3, $"{what}: reference output is trivially small");
    }

    /// <summary>Builds the fixture's spec, loads its weights strictly, runs PyTorch's input and compares to PyTorch's output.</summary>
    internal static nn.Module<Tensor, Tensor> BuildAndLoad(string name, ScalarType dtype = ScalarType.Float32, string? weights = null, StateDictLoadOptions? options = null)
    {
        var spec = ModelSpec.FromJsonFile(Fixture(name + ".json"));
        var model = spec.Build(seed: 99, dtype);
        var result = StateDictLoader.Load(model, Fixture((weights ?? name) + ".safetensors"), options);
        Assert.Equal(spec.Parameters.Count, result.Loaded.Count);
        Assert.Empty(result.Missing);
        return model;
    }

    [Theory]
    [InlineData("mlp_relu")]
    [InlineData("mlp_tanh_nobias")]
    [InlineData("mlp_gelu")]
    [InlineData("dln")]
    [InlineData("tms")]
    [InlineData("gpt_tied")]
    [InlineData("gpt_untied_noln")]
    public void ForwardMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        using var io = CheckpointFile.Open(Fixture(name + ".io.safetensors"));
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var model = BuildAndLoad(name, dtype);
            model.eval();
            var input = io.ReadTorch("input");
            if (input.is_floating_point()) input = input.to_type(dtype);
            using var _ = no_grad();
            var output = model.call(input);
            Assert.Equal(dtype, output.dtype);
            AssertClose(io.ReadTorch("output"), output, $"{name} ({dtype})");
        }
    }

    [Theory]
    [InlineData("gpt_tied")]
    [InlineData("gpt_untied_noln")]
    public void HookPointsCaptureWhatPyTorchComputes(string name)
    {
        using var scope = NewDisposeScope();
        using var io = CheckpointFile.Open(Fixture(name + ".io.safetensors"));
        using var model = BuildAndLoad(name);
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var captured = new Dictionary<string, Tensor>();
        var hooks = io.Tensors.Where(t => t.Name.StartsWith("hook.", StringComparison.Ordinal)).Select(t => t.Name[5..]).ToList();
        Assert.Equal(5, hooks.Count);
        foreach (string hook in hooks)
        {
            var module = (nn.Module<Tensor, Tensor>)modules[hook];
            module.register_forward_hook((_, _, output) => { captured[hook] = output.detach().clone().MoveToOuterDisposeScope(); return output; });
        }
        using (no_grad()) model.call(io.ReadTorch("input"));
        foreach (string hook in hooks) AssertClose(io.ReadTorch("hook." + hook), captured[hook], $"{name} hook {hook}");
        // The attention pattern is causal: rows sum to 1 and nothing attends to the future.
        var pattern = captured["h.1.attn.hook_pattern"];
        Assert.True(pattern.sum(-1).allclose(ones_like(pattern.sum(-1)), atol: 1e-5));
        Assert.Equal(0, pattern.triu(1).abs().sum().item<float>());
    }
}
