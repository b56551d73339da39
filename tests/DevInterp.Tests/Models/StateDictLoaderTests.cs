using System.Text.Json.Nodes;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DevInterp.Tests.Models;

public class StateDictLoaderTests
{
    private static string PyBridge => TestPaths.External("pybridge/pickled_modules/module_load.safetensors");

    /// <summary>Sequential(lin1 = Linear(5, 2, no bias), lin2 = Linear(2, 2, no bias)) as in TorchSharp.PyBridge's test.</summary>
    private static Sequential PyBridgeModule(long lin2Out = 2, long lin1In = 5, string second = "lin2") =>
        nn.Sequential(("lin1", nn.Linear(lin1In, 2, hasBias: false)), (second, nn.Linear(2, lin2Out, hasBias: false)));

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    [Fact]
    public void LoadsPyBridgeSafetensorsIntoASequential()
    {
        using var scope = NewDisposeScope();
        using var module = PyBridgeModule();
        var result = StateDictLoader.Load(module, PyBridge);
        Assert.True(result.IsExactMatch);
        Assert.Equal(["lin1.weight", "lin2.weight"], result.Loaded.Select(l => l.Target).Order());
        Assert.All(Values(module.named_parameters().First(p => p.name == "lin1.weight").parameter), v => Assert.Equal(1f, v));
        using var _ = no_grad();
        var y = module.call(full(5, 11f));
        Assert.Equal([220f, 220f], Values(y));
    }

    [Fact]
    public void StrictErrorListsEveryProblemAtOnceAndChangesNothing()
    {
        using var scope = NewDisposeScope();
        // lin1 expects [2, 4] (file has [2, 5]); 'lin3' is missing from the file; the file's 'lin2.weight' is unexpected.
        using var module = PyBridgeModule(lin1In: 4, second: "lin3");
        var before = module.named_parameters().Select(p => p.parameter.detach().clone()).ToList();
        var e = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(module, PyBridge));
        Assert.Equal(PyBridge, e.FilePath);
        Assert.StartsWith(PyBridge + ": ", e.Message);
        Assert.Contains("missing from the checkpoint (1): 'lin3.weight'", e.Message);
        Assert.Contains("unexpected in the checkpoint (1): 'lin2.weight'", e.Message);
        Assert.Contains("shape mismatch (1): 'lin1.weight' is [2, 5], the module expects [2, 4]", e.Message);
        Assert.Contains("pass a name map", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        var after = module.named_parameters().Select(p => p.parameter).ToList();
        for (int i = 0; i < after.Count; i++) Assert.True(before[i].eq(after[i]).all().item<bool>(), "module changed by a failed load");
    }

    [Fact]
    public void NonStrictReportsMissingAndUnexpectedAndLoadsTheRest()
    {
        using var scope = NewDisposeScope();
        using var module = PyBridgeModule(second: "lin3");
        var lin3Before = Values(module.named_parameters().First(p => p.name == "lin3.weight").parameter);
        var result = StateDictLoader.Load(module, PyBridge, new StateDictLoadOptions(Strict: false));
        Assert.Equal(["lin3.weight"], result.Missing);
        Assert.Equal(["lin2.weight"], result.Unexpected);
        Assert.Equal([new LoadedTensor("lin1.weight", "lin1.weight", false)], result.Loaded);
        Assert.False(result.IsExactMatch);
        Assert.All(Values(module.named_parameters().First(p => p.name == "lin1.weight").parameter), v => Assert.Equal(1f, v));
        Assert.Equal(lin3Before, Values(module.named_parameters().First(p => p.name == "lin3.weight").parameter));
    }

    [Fact]
    public void NonStrictStillRefusesWrongShapes()
    {
        using var module = PyBridgeModule(lin2Out: 3);
        var e = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(module, PyBridge, new StateDictLoadOptions(Strict: false)));
        Assert.Contains("'lin2.weight' is [2, 2], the module expects [3, 2]", e.Message);
    }

    [Fact]
    public void RenamesWithADictionaryAndWithRegexRules()
    {
        using var scope = NewDisposeScope();
        using var module = nn.Sequential(("first", nn.Linear(5, 2, hasBias: false)), ("second", nn.Linear(2, 2, hasBias: false)));
        var strictFail = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(module, PyBridge));
        Assert.Contains("'first.weight', 'second.weight'", strictFail.Message);

        var map = NameMap.FromRenames(new Dictionary<string, string> { ["lin1.weight"] = "first.weight", ["lin2.weight"] = "second.weight" });
        var result = StateDictLoader.Load(module, PyBridge, new StateDictLoadOptions(Map: map));
        Assert.Equal(["lin1.weight -> first.weight", "lin2.weight -> second.weight"],
            result.Loaded.Select(l => $"{l.Source} -> {l.Target}").Order());
        using (no_grad()) Assert.Equal([220f, 220f], Values(module.call(full(5, 11f))));

        using var module2 = nn.Sequential(("layer_1", nn.Linear(5, 2, hasBias: false)), ("layer_2", nn.Linear(2, 2, hasBias: false)));
        var regex = new NameMap([NameRule.Pattern(@"^lin(\d+)\.", "layer_$1.")], []);
        Assert.True(StateDictLoader.Load(module2, PyBridge, new StateDictLoadOptions(Map: regex)).IsExactMatch);
        using (no_grad()) Assert.Equal([220f, 220f], Values(module2.call(full(5, 11f))));
    }

    [Fact]
    public void ForeignNamesLoadIntoTheMlpSpec()
    {
        // PyTorch module with linear1 / act / linear2 attributes → our mlp spec's layers.0 / layers.2.
        using var scope = NewDisposeScope();
        var map = NameMap.FromRenames(new Dictionary<string, string>
        {
            ["linear1.weight"] = "layers.0.weight", ["linear1.bias"] = "layers.0.bias",
            ["linear2.weight"] = "layers.2.weight", ["linear2.bias"] = "layers.2.bias",
        });
        using var model = PyTorchParityTests.BuildAndLoad("foreign_mlp", options: new StateDictLoadOptions(Map: map));
        using var io = CheckpointFile.Open(PyTorchParityTests.Fixture("foreign_mlp.io.safetensors"));
        using var _ = no_grad();
        PyTorchParityTests.AssertClose(io.ReadTorch("output"), model.call(io.ReadTorch("input")), "foreign_mlp");
        // Without the map the error names all four foreign tensors and all four expected ones.
        var spec = ModelSpec.FromJsonFile(PyTorchParityTests.Fixture("foreign_mlp.json"));
        using var fresh = spec.Build(1);
        var e = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(fresh, PyTorchParityTests.Fixture("foreign_mlp.safetensors")));
        Assert.Contains("missing from the checkpoint (4)", e.Message);
        Assert.Contains("unexpected in the checkpoint (4): 'linear1.weight'", e.Message);
    }

    [Fact]
    public void HuggingFaceGpt2LayoutLoadsThroughTheBuiltInMap()
    {
        using var scope = NewDisposeScope();
        var options = new StateDictLoadOptions(Map: NameMap.HuggingFaceGpt2);
        using var model = PyTorchParityTests.BuildAndLoad("gpt_tied", weights: "gpt_tied_hf_layout", options: options);
        using var reader = CheckpointFile.Open(PyTorchParityTests.Fixture("gpt_tied_hf_layout.safetensors"));
        var (result, problems) = StateDictLoader.Check(model, reader, options);
        Assert.Empty(problems);
        Assert.Equal(["transformer.h.0.attn.bias", "transformer.h.1.attn.bias"], result.Ignored.Order());
        Assert.Equal(8, result.Loaded.Count(l => l.Transposed));
        Assert.Contains(new LoadedTensor("transformer.h.1.mlp.c_fc.weight", "h.1.mlp.c_fc.weight", true), result.Loaded);
        using var io = CheckpointFile.Open(PyTorchParityTests.Fixture("gpt_tied.io.safetensors"));
        using var _ = no_grad();
        PyTorchParityTests.AssertClose(io.ReadTorch("output"), model.call(io.ReadTorch("input")), "gpt_tied via HF layout");
    }

    [Fact]
    public void TransposeFlagAndItsErrors()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(TestPaths.NewTempDir(), "conv1d.safetensors");
        var w = arange(6, dtype: ScalarType.Float32).reshape(3, 2); // Conv1D layout [in=3, out=2]
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["c.weight"] = w, ["c.bias"] = tensor(new float[] { 1, 2 }) });
        using var linear = nn.Sequential(("c", nn.Linear(3, 2)));
        var map = new NameMap([NameRule.Exact("c.weight", "c.weight", transpose: true)], []);
        StateDictLoader.Load(linear, path, new StateDictLoadOptions(Map: map));
        Assert.Equal([0f, 2, 4, 1, 3, 5], Values(linear.named_parameters().First().parameter));

        var wrong = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(linear, path));
        Assert.Contains("'c.weight' is [3, 2], the module expects [2, 3]", wrong.Message);
        var bias = new NameMap([NameRule.Exact("c.weight", "c.weight", transpose: true), NameRule.Exact("c.bias", "c.bias", transpose: true)], []);
        var e = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(linear, path, new StateDictLoadOptions(Map: bias)));
        Assert.Contains("'c.bias' is to be transposed but has 1 dimensions [2]", e.Message);
        var clash = new NameMap([NameRule.Pattern("^c\\.(weight|bias)$", "c.weight")], []);
        var c = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(linear, path, new StateDictLoadOptions(Strict: false, Map: clash)));
        Assert.Contains("'c.weight' and 'c.bias' both map to 'c.weight'", c.Message);
    }

    [Fact]
    public void ConvertsDTypesAndKeepsParametersLeavesWithoutHistory()
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(TestPaths.NewTempDir(), "f64.safetensors");
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["lin1.weight"] = full(2, 5, 0.1, dtype: ScalarType.Float64), ["lin2.weight"] = full(2, 2, 0.2, dtype: ScalarType.Float64) });
        using var f32 = PyBridgeModule();
        StateDictLoader.Load(f32, path);
        var p = f32.named_parameters().First().parameter;
        Assert.Equal(ScalarType.Float32, p.dtype);
        Assert.Equal(0.1f, Values(p)[0]);
        Assert.True(p.requires_grad);
        // Still a leaf: a backward pass fills its .grad.
        f32.call(ones(5)).sum().backward();
        Assert.NotNull(p.grad);
        Assert.Equal(0.4f, p.grad!.data<float>()[0], 6);

        using var f64 = PyBridgeModule();
        f64.to(ScalarType.Float64);
        StateDictLoader.Load(f64, PyBridge);
        Assert.Equal(ScalarType.Float64, f64.named_parameters().First().parameter.dtype);
        using (no_grad()) Assert.Equal([220.0, 220.0], f64.call(full(5, 11.0, dtype: ScalarType.Float64)).data<double>().ToArray());
    }

    [Fact]
    public void LoadsBuffersIncludingIntegerScalars()
    {
        // burn's multi_layer.safetensors: Conv2d(3,4,3) + BatchNorm2d(4) + Linear(256,16), with num_batches_tracked (I64 []).
        using var scope = NewDisposeScope();
        string path = TestPaths.External("burn/safetensors-tests/tests/multi_layer/multi_layer.safetensors");
        using var module = nn.Sequential(("conv1", nn.Conv2d(3, 4, 3, padding: 1)), ("norm1", nn.BatchNorm2d(4)), ("fc1", nn.Linear(256, 16)));
        var result = StateDictLoader.Load(module, path);
        Assert.True(result.IsExactMatch);
        Assert.Contains(result.Loaded, l => l.Target == "norm1.running_mean");
        using var reader = CheckpointFile.Open(path);
        var buffers = module.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        Assert.Equal(reader.ReadDoubles("norm1.running_var"), buffers["norm1.running_var"].to_type(ScalarType.Float64).data<double>().ToArray());
        Assert.Equal(ScalarType.Int64, buffers["norm1.num_batches_tracked"].dtype);
        Assert.Equal((long)reader.ReadDoubles("norm1.num_batches_tracked")[0], buffers["norm1.num_batches_tracked"].item<long>());
        Assert.Equal(reader.ReadDoubles("fc1.weight"), module.named_parameters().First(p => p.name == "fc1.weight").parameter.to_type(ScalarType.Float64).data<double>().ToArray());
    }

    [Fact]
    public void NameMapJsonRoundTripsAndReportsBadFields()
    {
        var json = JsonNode.Parse("""
            {"rename": {"linear1.weight": "layers.0.weight"},
             "rules": [{"regex": "^transformer\\.(.+)$", "to": "$1"}, {"from": "a", "to": "b", "transpose": true}],
             "ignore": ["\\.attn\\.bias$"]}
            """)!.AsObject();
        var map = NameMap.Parse(json);
        Assert.Equal(("layers.0.weight", false), map.Map("linear1.weight"));
        Assert.Equal(("h.0.ln_1.weight", false), map.Map("transformer.h.0.ln_1.weight"));
        Assert.Equal(("b", true), map.Map("a"));
        Assert.Equal(("other", false), map.Map("other"));
        Assert.True(map.IsIgnored("h.3.attn.bias"));
        var again = NameMap.Parse(map.ToJson());
        Assert.Equal(map.ToJson().ToJsonString(), again.ToJson().ToJsonString());

        var badRegex = Assert.Throws<SpecFormatException>(() => NameMap.Parse(JsonNode.Parse("""{"rules": [{"regex": "(", "to": "x"}]}""")!.AsObject()));
        Assert.Equal("rules[0].regex", badRegex.Field);
        var both = Assert.Throws<SpecFormatException>(() => NameMap.Parse(JsonNode.Parse("""{"rules": [{"from": "a", "regex": "b", "to": "x"}]}""")!.AsObject()));
        Assert.Contains("exactly one of 'from'", both.Message);
        var unknown = Assert.Throws<SpecFormatException>(() => NameMap.Parse(JsonNode.Parse("""{"renames": {}}""")!.AsObject()));
        Assert.Equal("renames", unknown.Field);
    }
}
