using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>Small specs covering every chain model and option, and random inputs for them.</summary>
internal static class ChainModelSpecs
{
    public static readonly Dictionary<string, ModelSpec> All = new()
    {
        ["mlp-relu-bias"] = new MlpSpec([4, 6, 5, 3], "relu"),
        ["mlp-tanh-nobias"] = new MlpSpec([4, 6, 3], "tanh", Bias: false),
        ["mlp-gelu-contiguous"] = new MlpSpec([4, 5, 5, 2], "gelu", Naming: "contiguous"),
        ["mlp-embed-concat"] = new MlpSpec([6, 5, 4], "relu", Embedding: new MlpEmbedding(7, 3)),
        ["mlp-embed-sum-nobias"] = new MlpSpec([3, 5, 4], "tanh", Bias: false, Embedding: new MlpEmbedding(7, 3, "sum")),
        ["dln"] = new DlnSpec([4, 3, 5, 2]),
        ["tms"] = new TmsSpec(5, 2),
        ["gpt-tied"] = new TransformerSpec(Vocab: 7, Context: 6, DModel: 8, Heads: 2, Layers: 2, DMlp: 12),
        ["gpt-untied-noln-relu"] = new TransformerSpec(7, 6, 8, 4, 1, 10, LayerNorm: false, TieEmbeddings: false, Activation: "relu"),
        ["gpt-gelu"] = new TransformerSpec(5, 4, 6, 3, 1, 9, Activation: "gelu"),
        // TransformerLens layouts: d_head independent of d_model / heads, fewer logits than tokens with an unembedding bias, attention-only blocks.
        ["gpt-tl-dhead-vocabout"] = new TransformerSpec(8, 3, 6, 2, 1, 10, LayerNorm: false, TieEmbeddings: false, Activation: "relu", HeadDim: 5, VocabOut: 7, UnembedBias: true),
        ["gpt-attn-only"] = new TransformerSpec(6, 4, 8, 2, 2, 8, TieEmbeddings: false, AttnOnly: true, UnembedBias: true),
    };

    public static IEnumerable<object[]> Names() => All.Keys.Select(k => new object[] { k });

    /// <summary>Random inputs [C, B, ...] for the spec: standard normal vectors, or token ids over the whole context.</summary>
    public static Tensor Inputs(ModelSpec spec, long chains, long batch, Generator gen) => spec switch
    {
        TransformerSpec t => randint(t.Vocab, [chains, batch, t.Context], dtype: ScalarType.Int64, generator: gen),
        MlpSpec { Embedding: { } e } m => randint(e.Vocab, [chains, batch, e.Combine == "sum" ? 3 : m.Widths[0] / e.Dim], dtype: ScalarType.Int64, generator: gen),
        _ => randn([chains, batch, spec.InputSize!.Value], dtype: ScalarType.Float64, generator: gen),
    };

    /// <summary>A training set for the spec: inputs with targets a noisy function of them (vectors) or random next tokens.</summary>
    public static (Tensor X, Tensor Y) Data(ModelSpec spec, long n, Generator gen)
    {
        var x = Inputs(spec, 1, n, gen)[0];
        var y = spec is TransformerSpec t
            ? randint(t.OutputSize, [n, t.Context], dtype: ScalarType.Int64, generator: gen)
            : randn([n, spec.OutputSize], dtype: ScalarType.Float64, generator: gen);
        return (x, y);
    }
}
