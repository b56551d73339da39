using DevInterp.Checkpoints;
using DevInterp.Llc.Models;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Models;

/// <summary>
/// Transformers as the field saves them: TransformerLens <c>HookedTransformer</c> state dicts and Hugging Face GPT-2
/// <c>pytorch_model.bin</c> files, written by real PyTorch with the logits the libraries' own forward passes give
/// (Fixtures/transformers/make_transformer_fixtures.py re-implements them step by step), loaded through the built-in
/// name maps into our transformer, which must reproduce the logits; the LLC's chain model must too.
/// </summary>
public class TransformerLayoutTests
{
    private static string Fixture(string name) => TestPaths.Fixture(Path.Combine("transformers", name));

    public static TheoryData<string, string, string> Layouts() => new()
    {
        { "tl_grokking", "tl_grokking.pth", "transformerlens" },
        { "tl_ln_gelu_new", "tl_ln_gelu_new.pth", "transformerlens" },
        { "tl_attn_only", "tl_attn_only.pth", "transformerlens" },
        { "hf_gpt2", Path.Combine("hf_gpt2", "pytorch_model.bin"), "hf-gpt2" },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void TheModelReproducesTheLibrarysLogits(string name, string weights, string map)
    {
        using var scope = NewDisposeScope();
        var spec = (TransformerSpec)ModelSpec.FromJsonFile(Fixture(name + ".json"));
        using var io = CheckpointFile.Open(Fixture(name + ".io.safetensors"));
        var tokens = io.ReadTorch("tokens");
        var expected = io.ReadTorch("logits");
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var model = spec.Build(7, dtype);
            var result = StateDictLoader.Load(model, Fixture(weights), new StateDictLoadOptions(Map: NameMaps.Named(map)));
            Assert.True(result.IsExactMatch);
            Assert.Equal(spec.Parameters.Count, result.Loaded.Select(l => l.Target).Distinct().Count());
            model.eval();
            using var _ = no_grad();
            PyTorchParityTests.AssertClose(expected, model.call(tokens), $"{name} ({dtype})");
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void TheChainModelReproducesTheLibrarysLogits(string name, string weights, string map)
    {
        using var scope = NewDisposeScope();
        var spec = (TransformerSpec)ModelSpec.FromJsonFile(Fixture(name + ".json"));
        using var model = spec.Build(7, ScalarType.Float64);
        StateDictLoader.Load(model, Fixture(weights), new StateDictLoadOptions(Map: NameMaps.Named(map)));
        var chain = new TransformerChainModel(spec);
        var parameters = model.named_parameters().Select(p => p.parameter.detach().unsqueeze(0)).ToList();
        using var io = CheckpointFile.Open(Fixture(name + ".io.safetensors"));
        var logits = chain.Forward(parameters, io.ReadTorch("tokens").unsqueeze(0))[0];
        PyTorchParityTests.AssertClose(io.ReadTorch("logits"), logits, $"{name} chain model");
    }

    [Fact]
    public void TheBuiltInMapsRoundTripThroughJsonAndAreChosenByName()
    {
        foreach (string name in NameMaps.Names)
        {
            var map = NameMaps.Named(name)!;
            var again = NameMap.Parse(map.ToJson());
            Assert.Equal(map.Rules.Select(r => r.ToString()), again.Rules.Select(r => r.ToString()));
            Assert.Equal(map.Ignore, again.Ignore);
        }
        Assert.Same(NameMaps.TransformerLens, NameMaps.Named("TransformerLens"));
        Assert.Null(NameMaps.Named("nope"));
        var tl = DevInterp.Cli.RunInputs.ReadNameMap("transformerlens")!;
        Assert.Equal(NameMaps.TransformerLens.Rules.Count, NameMap.Parse(tl).Rules.Count);
        var e = Assert.Throws<DevInterp.Runs.RunFormatException>(() => DevInterp.Cli.RunInputs.ReadNameMap("transformerlense"));
        Assert.Contains("nor a built-in name map (transformerlens, hf-gpt2)", e.Message);
    }

    [Fact]
    public void AMissingOrMisshapenHeadTensorIsNamedWithItsPart()
    {
        using var scope = NewDisposeScope();
        var spec = (TransformerSpec)ModelSpec.FromJsonFile(Fixture("tl_grokking.json"));
        using var model = spec.Build(1);
        using var full = CheckpointFile.Open(Fixture("tl_grokking.pth"));
        var tensors = full.Tensors.Where(t => t.Name != "blocks.0.attn.W_K").ToDictionary(t => t.Name, t => full.ReadTorch(t.Name));
        using (var reader = new StateDictReader(tensors))
        {
            var e = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(model, reader, new StateDictLoadOptions(Map: NameMaps.TransformerLens)));
            Assert.Contains("'h.0.attn.c_attn.weight' is filled from 3 parts, but part 1 is missing from the checkpoint (present: 'blocks.0.attn.W_Q', 'blocks.0.attn.W_V')", e.Message);
        }
        // A spec with the wrong head width: the per-head tensor's shape is shown before and after reshaping.
        using var wrong = (spec with { HeadDim = 4 }).Build(1);
        var e2 = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(wrong, full, new StateDictLoadOptions(Map: NameMaps.TransformerLens)));
        Assert.Contains("'blocks.0.attn.W_Q' (mapped to 'h.0.attn.c_attn.weight') is [15, 12] ([3, 12, 5] before reshaping), the module expects part 0 of 3 of the module's [36, 12], i.e. [12, 12]", e2.Message);
    }
}
