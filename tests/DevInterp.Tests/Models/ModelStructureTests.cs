using DevInterp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DevInterp.Tests.Models;

[Collection(GlobalTorchState.Name)]
public class ModelStructureTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static List<string> Names(nn.Module m) => [.. m.named_parameters().Select(p => $"{p.name} [{string.Join(", ", p.parameter.shape)}]")];

    private static void NamesMatchSpec(ModelSpec spec, params string[] expected)
    {
        using var model = spec.Build(3);
        Assert.Equal(expected, Names(model));
        Assert.Equal(expected, spec.Parameters.Select(p => p.ToString()));
        // state_dict carries exactly the parameters (no buffers in these models).
        Assert.Equal(spec.Parameters.Select(p => p.Name).Order(), model.state_dict().Keys.Order());
    }

    [Fact]
    public void MlpUsesPyTorchSequentialIndices() => NamesMatchSpec(new MlpSpec([5, 8, 8, 3]),
        "layers.0.weight [8, 5]", "layers.0.bias [8]", "layers.2.weight [8, 8]", "layers.2.bias [8]", "layers.4.weight [3, 8]", "layers.4.bias [3]");

    [Fact]
    public void MlpContiguousNamingWithoutBias() => NamesMatchSpec(new MlpSpec([5, 8, 8, 3], "tanh", Bias: false, Naming: "contiguous"),
        "layers.0.weight [8, 5]", "layers.1.weight [8, 8]", "layers.2.weight [3, 8]");

    [Fact]
    public void DlnLayersAreContiguous() => NamesMatchSpec(new DlnSpec([6, 5, 4, 3]),
        "layers.0.weight [5, 6]", "layers.1.weight [4, 5]", "layers.2.weight [3, 4]");

    [Fact]
    public void TmsHasWAndBFinal() => NamesMatchSpec(new TmsSpec(6, 2), "W [2, 6]", "b_final [6]");

    [Fact]
    public void TransformerHasGpt2Names()
    {
        var spec = new TransformerSpec(Vocab: 11, Context: 8, DModel: 12, Heads: 3, Layers: 1, DMlp: 20);
        NamesMatchSpec(spec,
            "wte.weight [11, 12]", "wpe.weight [8, 12]",
            "h.0.ln_1.weight [12]", "h.0.ln_1.bias [12]",
            "h.0.attn.c_attn.weight [36, 12]", "h.0.attn.c_attn.bias [36]", "h.0.attn.c_proj.weight [12, 12]", "h.0.attn.c_proj.bias [12]",
            "h.0.ln_2.weight [12]", "h.0.ln_2.bias [12]",
            "h.0.mlp.c_fc.weight [20, 12]", "h.0.mlp.c_fc.bias [20]", "h.0.mlp.c_proj.weight [12, 20]", "h.0.mlp.c_proj.bias [12]",
            "ln_f.weight [12]", "ln_f.bias [12]");
        NamesMatchSpec(spec with { LayerNorm = false, TieEmbeddings = false, Layers = 1 },
            "wte.weight [11, 12]", "wpe.weight [8, 12]",
            "h.0.attn.c_attn.weight [36, 12]", "h.0.attn.c_attn.bias [36]", "h.0.attn.c_proj.weight [12, 12]", "h.0.attn.c_proj.bias [12]",
            "h.0.mlp.c_fc.weight [20, 12]", "h.0.mlp.c_fc.bias [20]", "h.0.mlp.c_proj.weight [12, 20]", "h.0.mlp.c_proj.bias [12]",
            "lm_head.weight [11, 12]");
    }

    [Fact]
    public void HookPointsAreNamedSubmodules()
    {
        using var gpt = new TransformerSpec(11, 8, 12, 3, 2, 20).Build(1);
        var modules = gpt.named_modules().Select(m => m.name).ToHashSet();
        foreach (string name in new[] { "wte", "wpe", "hook_embed", "h.0", "h.0.ln_1", "h.0.attn", "h.0.attn.c_attn", "h.0.attn.hook_pattern",
                     "h.0.attn.c_proj", "h.0.hook_resid_mid", "h.0.ln_2", "h.0.mlp", "h.0.mlp.c_fc", "h.0.mlp.act", "h.0.mlp.c_proj", "h.1", "ln_f" })
            Assert.Contains(name, modules);
        using var tms = new TmsSpec(6, 2).Build(1);
        Assert.Contains("hook_hidden", tms.named_modules().Select(m => m.name));
        using var mlp = new MlpSpec([3, 4, 2]).Build(1);
        Assert.Equal(["layers", "layers.0", "layers.1", "layers.2"], mlp.named_modules().Select(m => m.name).Where(n => n != ""));
    }

    [Fact]
    public void HooksFireOnSubmodulesAndSeeTheirOutputs()
    {
        using var scope = NewDisposeScope();
        var spec = new TmsSpec(6, 2);
        using var model = spec.Build(5);
        Tensor? hidden = null;
        var hook = (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == "hook_hidden").module;
        hook.register_forward_hook((_, _, output) => { hidden = output.detach().clone(); return output; });
        var x = rand(4, 6);
        model.call(x);
        var w = ((TmsModel)model).W.detach();
        Assert.NotNull(hidden);
        Assert.True(hidden!.allclose(x.matmul(w.t())));
    }

    [Fact]
    public void BuildIsDeterministicPerSeedAndLeavesTheGlobalSeedAlone()
    {
        var spec = new TransformerSpec(11, 8, 12, 3, 2, 20);
        using var a = spec.Build(42);
        using var b = spec.Build(42);
        using var c = spec.Build(43);
        var pa = a.named_parameters().ToList();
        var pb = b.named_parameters().ToList();
        var pc = c.named_parameters().ToList();
        for (int i = 0; i < pa.Count; i++) Assert.True(Same(pa[i].parameter, pb[i].parameter), pa[i].name);
        Assert.False(Same(pa[0].parameter, pc[0].parameter));

        torch.manual_seed(7);
        var before = torch.rand(5);
        torch.manual_seed(7);
        using var d = spec.Build(1);
        var after = torch.rand(5);
        Assert.True(Same(before, after));
    }

    [Fact]
    public void DefaultInitialisationsHaveTheDocumentedScale()
    {
        using var dln = (DeepLinearNetwork)new DlnSpec([200, 200], InitScale: 0.05).Build(1);
        Assert.InRange(dln.Layers[0].weight!.std().item<float>(), 0.048, 0.052);
        using var tms = (TmsModel)new TmsSpec(400, 100).Build(1);
        Assert.InRange(tms.W.std().item<float>(), 0.95 * Math.Sqrt(2.0 / 500), 1.05 * Math.Sqrt(2.0 / 500));
        Assert.Equal(0, tms.BFinal.abs().sum().item<float>());
        using var mlp = (MlpModel)new MlpSpec([100, 300]).Build(1);
        var w = mlp.Linears[0].weight!;
        Assert.True(w.abs().max().item<float>() <= 0.1f);
        Assert.InRange(w.std().item<float>(), 0.1 / Math.Sqrt(3) * 0.97, 0.1 / Math.Sqrt(3) * 1.03);
    }

    [Fact]
    public void Float64BuildAndShapes()
    {
        using var scope = NewDisposeScope();
        using var model = new MlpSpec([3, 4, 2], "gelu").Build(1, ScalarType.Float64);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal([7L, 2], model.call(rand(7, 3, dtype: ScalarType.Float64)).shape);
        using var gpt = new TransformerSpec(11, 8, 12, 3, 1, 20).Build(1);
        Assert.Equal([2L, 5, 11], gpt.call(randint(0, 11, [2, 5])).shape);
        Assert.Equal([5L, 11], gpt.call(randint(0, 11, [5])).shape);
        var tooLong = Assert.Throws<ArgumentException>(() => gpt.call(randint(0, 11, [1, 9])));
        Assert.Contains("exceeds the model's context 8", tooLong.Message);
    }

    [Fact]
    public void DlnEndToEndIsTheProductOfLayers()
    {
        using var scope = NewDisposeScope();
        using var dln = (DeepLinearNetwork)new DlnSpec([4, 3, 5], 0.5).Build(2);
        var x = randn(6, 4);
        var viaMap = x.matmul(dln.EndToEnd().t());
        Assert.True(viaMap.allclose(dln.call(x), rtol: 1e-5, atol: 1e-6));
        Assert.Equal([5L, 4], dln.EndToEnd().shape);
    }
}
