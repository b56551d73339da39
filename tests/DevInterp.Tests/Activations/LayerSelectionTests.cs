using DevInterp.Activations;
using DevInterp.Models;

namespace DevInterp.Tests.Activations;

public class LayerSelectionTests
{
    [Theory]
    [InlineData("h.*", "h.0", true)]
    [InlineData("h.*", "h.12", true)]
    [InlineData("h.*", "h.0.attn", false)]
    [InlineData("h.*.attn", "h.3.attn", true)]
    [InlineData("h.*.attn", "h.3.attn.c_attn", false)]
    [InlineData("h.**", "h.3.attn.c_attn", true)]
    [InlineData("**", "layers.0", true)]
    [InlineData("layers.?", "layers.4", true)]
    [InlineData("layers.?", "layers.10", false)]
    [InlineData("ln_f", "ln_f", true)]
    [InlineData("ln_f", "h.0.ln_f", false)]      // whole-name match
    [InlineData("h.0", "hx0", false)]            // a dot is literal, not "any character"
    public void GlobsMatchWholeDottedNames(string pattern, string name, bool expected) =>
        Assert.Equal(expected, new LayerSelection([pattern]).Matches(name));

    [Fact]
    public void ParseSplitsOnCommasAndRejectsEmptyPatterns()
    {
        var selection = LayerSelection.Parse(" h.*.attn , h.*.mlp");
        Assert.Equal(["h.*.attn", "h.*.mlp"], selection.Patterns);
        Assert.True(selection.Matches("h.1.mlp"));
        Assert.False((selection with { Patterns = ["ln_f"] }).Matches("h.1.mlp"));
        Assert.Equal(LayerSelection.Parse("h.*.attn,h.*.mlp"), selection);
        var e = Assert.Throws<ArgumentException>(() => LayerSelection.Parse("h.*,,ln_f"));
        Assert.Contains("empty pattern", e.Message);
    }

    [Fact]
    public void DefaultsCoverTheBuiltInSpecs()
    {
        Assert.Equal(["layers.*"], LayerSelection.Default(new MlpSpec([2, 3, 1])).Patterns);
        Assert.Equal(["layers.*", "activations.*"], LayerSelection.Default(new MlpSpec([2, 3, 1], Naming: "contiguous")).Patterns);
        Assert.Equal(["hook_hidden"], LayerSelection.Default(new TmsSpec(4, 2)).Patterns);
        Assert.Equal(["hook_embed", "h.*", "h.*.attn", "h.*.mlp"], LayerSelection.Default(new TransformerSpec(5, 4, 4, 2, 1, 8)).Patterns);
        Assert.Equal(["**"], LayerSelection.Default(null).Patterns);
    }
}
