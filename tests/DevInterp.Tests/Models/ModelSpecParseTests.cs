using System.Text.Json.Nodes;
using DevInterp.Models;

namespace DevInterp.Tests.Models;

public class ModelSpecParseTests
{
    private static SpecFormatException Fails(string json) => Assert.Throws<SpecFormatException>(() => ModelSpec.Parse(json));

    [Fact]
    public void ParsesEachTypeWithDefaults()
    {
        var mlp = Assert.IsType<MlpSpec>(ModelSpec.Parse("""{"type":"mlp","widths":[4,8,2]}"""));
        Assert.Equal([4L, 8, 2], mlp.Widths);
        Assert.Equal("relu", mlp.Activation);
        Assert.True(mlp.Bias);
        Assert.Equal("sequential", mlp.Naming);

        var dln = Assert.IsType<DlnSpec>(ModelSpec.Parse("""{"type":"dln","widths":[3,3,3],"init_scale":0.001}"""));
        Assert.Equal(0.001, dln.InitScale);
        Assert.Equal(2, dln.Depth);

        var tms = Assert.IsType<TmsSpec>(ModelSpec.Parse("""{"type":"tms","features":6,"hidden":2}"""));
        Assert.Equal((6L, 2L, (double?)null), (tms.Features, tms.Hidden, tms.InitScale));

        var gpt = Assert.IsType<TransformerSpec>(ModelSpec.Parse("""{"type":"transformer","vocab":10,"context":5,"d_model":8,"heads":2,"layers":1}"""));
        Assert.Equal(32, gpt.DMlp);
        Assert.True(gpt.LayerNorm);
        Assert.True(gpt.TieEmbeddings);
        Assert.Equal("gelu_tanh", gpt.Activation);
        Assert.Equal(4, gpt.DHead);
    }

    [Theory]
    [InlineData("""{"type":"mlp","widths":[4,8,2],"activation":"gelu","bias":false,"naming":"contiguous"}""")]
    [InlineData("""{"type":"dln","widths":[5,5,5,5],"init_scale":0.003}""")]
    [InlineData("""{"type":"tms","features":5,"hidden":2,"init_scale":0.1}""")]
    [InlineData("""{"type":"transformer","vocab":10,"context":5,"d_model":8,"heads":2,"layers":3,"d_mlp":7,"layer_norm":false,"tie_embeddings":false,"activation":"relu","ln_eps":1e-6}""")]
    public void ToJsonRoundTrips(string json)
    {
        var spec = ModelSpec.Parse(json);
        var again = ModelSpec.Parse(spec.ToJson());
        Assert.Equal(spec.ToJson().ToJsonString(), again.ToJson().ToJsonString());
        // Every field given is kept with its value.
        var original = JsonNode.Parse(json)!.AsObject();
        var written = spec.ToJson();
        foreach (var (key, value) in original) Assert.True(JsonNode.DeepEquals(value, written[key]), key);
    }

    [Theory]
    [InlineData("""{"widths":[1,2]}""", "type", "required")]
    [InlineData("""{"type":"cnn"}""", "type", "'cnn' is not one of mlp, dln, tms, transformer")]
    [InlineData("""{"type":7}""", "type", "expected a string")]
    [InlineData("""{"type":"mlp"}""", "widths", "required")]
    [InlineData("""{"type":"mlp","widths":[3]}""", "widths", "expected at least 2 entries, got 1")]
    [InlineData("""{"type":"mlp","widths":[3,0,2]}""", "widths[1]", "expected an integer >= 1, got 0")]
    [InlineData("""{"type":"mlp","widths":[3,2.5]}""", "widths[1]", "expected an integer")]
    [InlineData("""{"type":"mlp","widths":"3,2"}""", "widths", "expected an array of integers")]
    [InlineData("""{"type":"mlp","widths":[3,2],"activation":"swish"}""", "activation", "'swish' is not one of relu, tanh, gelu")]
    [InlineData("""{"type":"mlp","widths":[3,2],"bias":"yes"}""", "bias", "expected true or false")]
    [InlineData("""{"type":"mlp","widht":[3,2],"widths":[3,2]}""", "widht", "unknown field")]
    [InlineData("""{"type":"dln","widths":[3,2],"init_scale":0}""", "init_scale", "expected a number > 0, got 0")]
    [InlineData("""{"type":"tms","features":6}""", "hidden", "required")]
    [InlineData("""{"type":"tms","features":-1,"hidden":2}""", "features", "expected an integer >= 1, got -1")]
    [InlineData("""{"type":"transformer","vocab":10,"context":5,"d_model":8,"heads":3,"layers":1}""", "heads", "must divide d_model (8), got 3")]
    [InlineData("""{"type":"transformer","vocab":10,"context":5,"d_model":8,"heads":2}""", "layers", "required")]
    [InlineData("""{"type":"transformer","vocab":10,"context":5,"d_model":8,"heads":2,"layers":1,"activation":"swish"}""", "activation", "is not one of gelu_tanh, gelu, relu")]
    public void BadSpecsNameTheField(string json, string field, string reason)
    {
        var e = Fails(json);
        Assert.Equal(field, e.Field);
        Assert.Contains(reason, e.Message);
        Assert.StartsWith($"model spec field '{field}': ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void InvalidJsonIsASpecError()
    {
        var e = Fails("{\"type\": \"mlp\",");
        Assert.Contains("not valid JSON", e.Message);
        Assert.Contains("not valid JSON", Fails("[1,2]").Message.Replace("expected a JSON object", "not valid JSON"));
    }

    [Fact]
    public void FileErrorsNameTheFileAndField()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "model.json");
        File.WriteAllText(path, """{"type":"dln","widths":[4]}""");
        var e = Assert.Throws<SpecFormatException>(() => ModelSpec.FromJsonFile(path));
        Assert.StartsWith($"{path}: model spec field 'widths': expected at least 2 entries", e.Message);
        var missing = Assert.Throws<SpecFormatException>(() => ModelSpec.FromJsonFile(Path.Combine(dir, "nope.json")));
        Assert.Contains("nope.json", missing.Message);
    }

    [Fact]
    public void RecordsBuiltInCodeAreValidatedAtBuild()
    {
        var e = Assert.Throws<SpecFormatException>(() => new MlpSpec([3, 0, 2]).Build(1));
        Assert.Equal("widths[1]", e.Field);
        Assert.Equal("heads", Assert.Throws<SpecFormatException>(() => new TransformerSpec(5, 4, 6, 4, 1, 8).Build(1)).Field);
        Assert.Throws<ArgumentException>(() => new TmsSpec(3, 2).Build(1, TorchSharp.torch.ScalarType.Int32));
    }
}
