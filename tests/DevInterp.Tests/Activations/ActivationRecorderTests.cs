using DevInterp.Activations;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Activations;

/// <summary>Forward hooks capture what each named layer computes, as [rows, features] float64 matrices.</summary>
public class ActivationRecorderTests
{
    [Fact]
    public void MlpLinearAndActivationLayersInModuleOrder()
    {
        using var scope = NewDisposeScope();
        using var model = new MlpSpec([4, 6, 5, 3]).Build(1);
        using var recorder = new ActivationRecorder(model, LayerSelection.Default(new MlpSpec([4, 6, 5, 3])));
        Assert.Equal(["layers.0", "layers.1", "layers.2", "layers.3", "layers.4"], recorder.Layers);
        using var gen = new Generator(2);
        var probe = randn([7, 4], generator: gen);
        using var captured = recorder.Capture(probe);
        Assert.Equal(7, captured.Rows);
        Assert.Equal([7L, 6], captured["layers.0"].shape);
        Assert.Equal(ScalarType.Float64, captured["layers.0"].dtype);
        // layers.1 is the ReLU of layers.0; the last Linear's output is the model's output.
        Assert.Equal(0.0, (captured["layers.1"] - captured["layers.0"].relu()).abs().max().item<double>());
        Assert.True(captured["layers.0"].min().item<double>() < 0);
        using (no_grad())
            Assert.Equal(0.0, (captured["layers.4"] - model.call(probe).to_type(ScalarType.Float64)).abs().max().item<double>());
        Assert.Equal(0.0, (captured.Output - captured["layers.4"]).abs().max().item<double>());
        Assert.Empty(captured.NotRun);
    }

    [Fact]
    public void TransformerRowsAreBatchThenPositionAndTheResidualStreamAddsUp()
    {
        using var scope = NewDisposeScope();
        var spec = new TransformerSpec(Vocab: 11, Context: 6, DModel: 8, Heads: 2, Layers: 2, DMlp: 12);
        using var model = spec.Build(3, ScalarType.Float64);
        using var recorder = new ActivationRecorder(model, LayerSelection.Default(spec));
        Assert.Equal(["hook_embed", "h.0", "h.0.attn", "h.0.mlp", "h.1", "h.1.attn", "h.1.mlp"], recorder.Layers);
        using var gen = new Generator(4);
        var tokens = randint(11, [3, 5], dtype: ScalarType.Int64, generator: gen);
        using var captured = recorder.Capture(tokens);
        Assert.Equal(15, captured.Rows);
        foreach (string layer in recorder.Layers) Assert.Equal([15L, 8], captured[layer].shape);
        // The residual stream after block i is the stream before it plus what attention and the MLP add.
        for (int i = 0; i < 2; i++)
        {
            var before = captured[i == 0 ? "hook_embed" : $"h.{i - 1}"];
            var after = before + captured[$"h.{i}.attn"] + captured[$"h.{i}.mlp"];
            Assert.True((after - captured[$"h.{i}"]).abs().max().item<double>() < 1e-12);
        }
        // Row b·T + t is sequence b, position t: compare with the module's logits.
        using (no_grad())
        {
            var logits = model.call(tokens);
            for (int b = 0; b < 3; b++)
                for (int t = 0; t < 5; t++)
                    Assert.Equal(0.0, (captured.Output[b * 5 + t] - logits[b, t]).abs().max().item<double>());
        }
        // The embedding row of (b, t) is wte[token] + wpe[t].
        var wte = model.named_parameters().Single(p => p.name == "wte.weight").parameter;
        var wpe = model.named_parameters().Single(p => p.name == "wpe.weight").parameter;
        long token = tokens[2, 3].item<long>();
        Assert.True((captured["hook_embed"][2 * 5 + 3] - (wte[token] + wpe[3])).abs().max().item<double>() < 1e-15);
    }

    [Fact]
    public void AttentionPatternRowsAreQueriesAndFeaturesHeadsTimesKeys()
    {
        using var scope = NewDisposeScope();
        var spec = new TransformerSpec(11, 6, 8, 2, 1, 12);
        using var model = spec.Build(5, ScalarType.Float64);
        using var recorder = new ActivationRecorder(model, new LayerSelection(["h.0.attn.hook_pattern"]));
        using var gen = new Generator(6);
        var tokens = randint(11, [2, 4], dtype: ScalarType.Int64, generator: gen);
        using var captured = recorder.Capture(tokens);
        var pattern = captured["h.0.attn.hook_pattern"];
        Assert.Equal([8L, 8], pattern.shape); // rows (batch 2 × query 4), features (heads 2 × keys 4)
        var blocks = pattern.reshape(8, 2, 4);
        Assert.True((blocks.sum(-1) - 1).abs().max().item<double>() < 1e-12); // each head's weights over keys sum to 1
        for (int q = 0; q < 4; q++)
            for (int k = q + 1; k < 4; k++)
                Assert.Equal(0.0, blocks[1 * 4 + q, .., k].abs().max().item<double>()); // causal: no future key
    }

    [Fact]
    public void AnyModuleWorksByItsModuleNames()
    {
        using var scope = NewDisposeScope();
        using var user = nn.Sequential(("encoder", nn.Linear(3, 4, dtype: ScalarType.Float64)), ("act", nn.Tanh()),
            ("head", nn.Linear(4, 2, dtype: ScalarType.Float64)));
        using var recorder = new ActivationRecorder(user);
        Assert.Equal(["encoder", "act", "head"], recorder.Layers);
        using var captured = recorder.Capture(ones(5, 3));
        Assert.Equal([5L, 4], captured["act"].shape);
        Assert.Equal(0.0, (captured["act"] - captured["encoder"].tanh()).abs().max().item<double>());
        Assert.Throws<KeyNotFoundException>(() => captured["missing"]);
    }

    [Fact]
    public void HooksRecordOnlyInsideCaptureAndAreRemovedOnDispose()
    {
        using var scope = NewDisposeScope();
        using var model = new DlnSpec([3, 3, 2]).Build(1);
        var recorder = new ActivationRecorder(model);
        using (no_grad()) model.call(ones(2, 3)); // outside Capture: nothing recorded, nothing breaks
        using (var captured = recorder.Capture(ones(2, 3))) Assert.Equal(["layers.0", "layers.1"], captured.Layers);
        recorder.Dispose();
        using var again = new ActivationRecorder(model, new LayerSelection(["layers.1"]));
        using var second = again.Capture(ones(2, 3));
        Assert.Equal(["layers.1"], second.Layers);
    }

    [Fact]
    public void BadSelectionsAndProbesGetClearErrors()
    {
        using var scope = NewDisposeScope();
        using var model = new MlpSpec([4, 3, 2]).Build(1);
        var e = Assert.Throws<ArgumentException>(() => new ActivationRecorder(model, new LayerSelection(["h.*"])));
        Assert.Contains("pattern 'h.*' matches no layer of MlpModel (layers: layers.0, layers.1, layers.2)", e.Message);

        using var recorder = new ActivationRecorder(model);
        e = Assert.Throws<ArgumentException>(() => recorder.Capture(ones(5, 3)));
        Assert.StartsWith("probe: MlpModel cannot run inputs of shape [5, 3] (Float32)", e.Message);
        e = Assert.Throws<ArgumentException>(() => recorder.Capture(ones(5)));
        Assert.Contains("float inputs need a sample and a feature dimension", e.Message);

        // A module applied several times in one forward pass has no single output.
        using var looping = new LoopModel();
        using var loopRecorder = new ActivationRecorder(looping);
        var error = Assert.Throws<InvalidOperationException>(() => loopRecorder.Capture(ones(3, 2)));
        Assert.Contains("'step' (3 times)", error.Message);
    }

    private sealed class LoopModel : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear step = nn.Linear(2, 2);

        public LoopModel() : base(nameof(LoopModel)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            for (int i = 0; i < 3; i++) x = step.call(x);
            return x;
        }
    }
}
