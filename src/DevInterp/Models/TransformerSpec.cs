using System.Text.Json.Nodes;
using DevInterp.Models.Transformer;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// A small decoder-only transformer with GPT-2's parameter names. Weights of the Linear layers (<c>c_attn</c>,
/// <c>c_proj</c>, <c>c_fc</c>) use nn.Linear's [out, in] layout, not Hugging Face's Conv1D [in, out]:
/// <see cref="NameMap.HuggingFaceGpt2"/> transposes them when loading a Hugging Face checkpoint. See docs/models.md for
/// the full name list and the hook points.
/// </summary>
/// <param name="Vocab">Vocabulary size.</param>
/// <param name="Context">Maximum sequence length (rows of <c>wpe</c>).</param>
/// <param name="DModel">Residual stream width.</param>
/// <param name="Heads">Attention heads; must divide <paramref name="DModel"/>.</param>
/// <param name="Layers">Number of blocks <c>h.0</c> ... .</param>
/// <param name="DMlp">Hidden width of each MLP (GPT-2 uses 4·d_model).</param>
/// <param name="LayerNorm">Whether <c>ln_1</c>, <c>ln_2</c>, <c>ln_f</c> are LayerNorms (true) or identities without parameters.</param>
/// <param name="TieEmbeddings">Logits use <c>wte.weight</c> (true, as GPT-2) or a separate <c>lm_head.weight</c> [vocab, d_model].</param>
/// <param name="Activation">MLP activation: gelu_tanh (GPT-2's gelu_new), gelu (exact) or relu.</param>
/// <param name="LayerNormEps">LayerNorm epsilon.</param>
public sealed record TransformerSpec(
    long Vocab, long Context, long DModel, long Heads, long Layers, long DMlp,
    bool LayerNorm = true, bool TieEmbeddings = true, string Activation = "gelu_tanh", double LayerNormEps = 1e-5) : ModelSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "transformer";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => null;

    /// <inheritdoc />
    public override long OutputSize => Vocab;

    /// <inheritdoc />
    public override long? TokenVocabulary => Vocab;

    /// <inheritdoc />
    public override string? RejectSequenceLength(long length) => length <= Context ? null : $"at most {Context} tokens (the context)";

    /// <summary>Width of one head.</summary>
    public long DHead => DModel / Heads;

    /// <inheritdoc />
    public override IReadOnlyList<ParameterShape> Parameters
    {
        get
        {
            var list = new List<ParameterShape> { new("wte.weight", Vocab, DModel), new("wpe.weight", Context, DModel) };
            for (int i = 0; i < Layers; i++)
            {
                string p = $"h.{i}.";
                if (LayerNorm) list.AddRange([new(p + "ln_1.weight", DModel), new(p + "ln_1.bias", DModel)]);
                list.AddRange([
                    new(p + "attn.c_attn.weight", 3 * DModel, DModel), new(p + "attn.c_attn.bias", 3 * DModel),
                    new(p + "attn.c_proj.weight", DModel, DModel), new(p + "attn.c_proj.bias", DModel)]);
                if (LayerNorm) list.AddRange([new(p + "ln_2.weight", DModel), new(p + "ln_2.bias", DModel)]);
                list.AddRange([
                    new(p + "mlp.c_fc.weight", DMlp, DModel), new(p + "mlp.c_fc.bias", DMlp),
                    new(p + "mlp.c_proj.weight", DModel, DMlp), new(p + "mlp.c_proj.bias", DModel)]);
            }
            if (LayerNorm) list.AddRange([new("ln_f.weight", DModel), new("ln_f.bias", DModel)]);
            if (!TieEmbeddings) list.Add(new("lm_head.weight", Vocab, DModel));
            return list;
        }
    }

    internal static TransformerSpec Read(SpecReader r)
    {
        long vocab = r.RequireInt("vocab", 1);
        long context = r.RequireInt("context", 1);
        long dModel = r.RequireInt("d_model", 1);
        long heads = r.RequireInt("heads", 1);
        long layers = r.RequireInt("layers", 0);
        long dMlp = r.OptionalInt("d_mlp", 4 * dModel, 1)!.Value;
        bool ln = r.OptionalBool("layer_norm", true);
        bool tie = r.OptionalBool("tie_embeddings", true);
        string act = r.OptionalString("activation", "gelu_tanh", Activations.TransformerNames)!;
        double eps = r.OptionalDouble("ln_eps", 1e-5, 0, exclusiveMin: true)!.Value;
        r.RejectUnknown();
        if (dModel % heads != 0) throw r.Error("heads", $"must divide d_model ({dModel}), got {heads}");
        return new TransformerSpec(vocab, context, dModel, heads, layers, dMlp, ln, tie, act, eps);
    }

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["type"] = TypeName,
        ["vocab"] = Vocab,
        ["context"] = Context,
        ["d_model"] = DModel,
        ["heads"] = Heads,
        ["layers"] = Layers,
        ["d_mlp"] = DMlp,
        ["layer_norm"] = LayerNorm,
        ["tie_embeddings"] = TieEmbeddings,
        ["activation"] = Activation,
        ["ln_eps"] = LayerNormEps,
    };

    /// <inheritdoc />
    protected override nn.Module<Tensor, Tensor> BuildCore(Generator generator, ScalarType dtype)
    {
        void Positive(string field, long value, long min = 1)
        {
            if (value < min) throw new SpecFormatException(SpecName, field, $"expected an integer >= {min}, got {value}");
        }
        Positive("vocab", Vocab);
        Positive("context", Context);
        Positive("d_model", DModel);
        Positive("heads", Heads);
        Positive("layers", Layers, 0);
        Positive("d_mlp", DMlp);
        if (DModel % Heads != 0) throw new SpecFormatException(SpecName, "heads", $"must divide d_model ({DModel}), got {Heads}");
        if (!Activations.TransformerNames.Contains(Activation))
            throw new SpecFormatException(SpecName, "activation", $"'{Activation}' is not one of {string.Join(", ", Activations.TransformerNames)}");
        return new GptModel(this, generator, dtype);
    }
}
