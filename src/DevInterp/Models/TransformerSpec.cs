using System.Text.Json.Nodes;
using DevInterp.Models.Transformer;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// A small decoder-only transformer with GPT-2's parameter names. Weights of the Linear layers (<c>c_attn</c>,
/// <c>c_proj</c>, <c>c_fc</c>) use nn.Linear's [out, in] layout, not Hugging Face's Conv1D [in, out]:
/// <see cref="NameMap.HuggingFaceGpt2"/> transposes them when loading a Hugging Face checkpoint, and
/// <see cref="NameMaps.TransformerLens"/> maps TransformerLens's per-head W_Q/W_K/W_V/W_O. See docs/models.md for the full
/// name list and the hook points.
/// </summary>
/// <param name="Vocab">Vocabulary size (rows of <c>wte</c>).</param>
/// <param name="Context">Maximum sequence length (rows of <c>wpe</c>).</param>
/// <param name="DModel">Residual stream width.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Layers">Number of blocks <c>h.0</c> ... .</param>
/// <param name="DMlp">Hidden width of each MLP (GPT-2 uses 4·d_model); unused with <paramref name="AttnOnly"/>.</param>
/// <param name="LayerNorm">Whether <c>ln_1</c>, <c>ln_2</c>, <c>ln_f</c> are LayerNorms (true) or identities without parameters.</param>
/// <param name="TieEmbeddings">Logits use <c>wte.weight</c> (true, as GPT-2) or a separate <c>lm_head.weight</c> [vocab_out, d_model].</param>
/// <param name="Activation">MLP activation: gelu_tanh (GPT-2's and TransformerLens's gelu_new), gelu (exact) or relu.</param>
/// <param name="LayerNormEps">LayerNorm epsilon.</param>
/// <param name="HeadDim">Width of one head (TransformerLens's d_head, which need not be d_model / heads); null for d_model / heads.</param>
/// <param name="AttnOnly">Blocks without MLP (and without <c>ln_2</c>), as TransformerLens's attn_only models.</param>
/// <param name="VocabOut">Number of logits when it differs from <paramref name="Vocab"/> (TransformerLens's d_vocab_out, e.g. no logit for the "=" token); untied only; null for <paramref name="Vocab"/>.</param>
/// <param name="UnembedBias">Whether <c>lm_head</c> has a bias (TransformerLens's b_U); untied only.</param>
public sealed record TransformerSpec(
    long Vocab, long Context, long DModel, long Heads, long Layers, long DMlp,
    bool LayerNorm = true, bool TieEmbeddings = true, string Activation = "gelu_tanh", double LayerNormEps = 1e-5,
    long? HeadDim = null, bool AttnOnly = false, long? VocabOut = null, bool UnembedBias = false) : ModelSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "transformer";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => null;

    /// <inheritdoc />
    public override long OutputSize => VocabOut ?? Vocab;

    /// <inheritdoc />
    public override long? TokenVocabulary => Vocab;

    /// <inheritdoc />
    public override string? RejectSequenceLength(long length) => length <= Context ? null : $"at most {Context} tokens (the context)";

    /// <summary>Width of one head.</summary>
    public long DHead => HeadDim ?? DModel / Heads;

    /// <summary>Width of the concatenated heads (heads · d_head): rows of q, k and v each in <c>c_attn</c>.</summary>
    public long DAttention => Heads * DHead;

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
                    new(p + "attn.c_attn.weight", 3 * DAttention, DModel), new(p + "attn.c_attn.bias", 3 * DAttention),
                    new(p + "attn.c_proj.weight", DModel, DAttention), new(p + "attn.c_proj.bias", DModel)]);
                if (AttnOnly) continue;
                if (LayerNorm) list.AddRange([new(p + "ln_2.weight", DModel), new(p + "ln_2.bias", DModel)]);
                list.AddRange([
                    new(p + "mlp.c_fc.weight", DMlp, DModel), new(p + "mlp.c_fc.bias", DMlp),
                    new(p + "mlp.c_proj.weight", DModel, DMlp), new(p + "mlp.c_proj.bias", DModel)]);
            }
            if (LayerNorm) list.AddRange([new("ln_f.weight", DModel), new("ln_f.bias", DModel)]);
            if (!TieEmbeddings) list.Add(new("lm_head.weight", OutputSize, DModel));
            if (!TieEmbeddings && UnembedBias) list.Add(new("lm_head.bias", OutputSize));
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
        long? dHead = r.OptionalInt("d_head", null, 1);
        bool attnOnly = r.OptionalBool("attn_only", false);
        long? vocabOut = r.OptionalInt("vocab_out", null, 1);
        bool unembedBias = r.OptionalBool("unembed_bias", false);
        r.RejectUnknown();
        // Defaults written out by ToJson read back as defaults, so a spec round-trips to an equal record.
        if (dHead is { } h && h * heads == dModel) dHead = null;
        if (vocabOut == vocab) vocabOut = null;
        var spec = new TransformerSpec(vocab, context, dModel, heads, layers, dMlp, ln, tie, act, eps, dHead, attnOnly, vocabOut, unembedBias);
        if (spec.Problem() is { } problem) throw r.Error(problem.Field, problem.Reason);
        return spec;
    }

    /// <summary>The first inconsistency between fields, or null.</summary>
    private (string Field, string Reason)? Problem()
    {
        if (HeadDim is null && DModel % Heads != 0)
            return ("heads", $"must divide d_model ({DModel}), got {Heads} (or give \"d_head\")");
        if (VocabOut is not null && VocabOut != Vocab && TieEmbeddings)
            return ("vocab_out", $"{VocabOut} logits from the tied embedding of {Vocab} tokens: set \"tie_embeddings\": false");
        if (UnembedBias && TieEmbeddings)
            return ("unembed_bias", "needs an untied unembedding (\"tie_embeddings\": false)");
        return null;
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
        ["d_head"] = DHead,
        ["attn_only"] = AttnOnly,
        ["vocab_out"] = OutputSize,
        ["unembed_bias"] = UnembedBias,
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
        if (HeadDim is { } h) Positive("d_head", h);
        if (VocabOut is { } v) Positive("vocab_out", v);
        if (Problem() is { } problem) throw new SpecFormatException(SpecName, problem.Field, problem.Reason);
        if (!Activations.TransformerNames.Contains(Activation))
            throw new SpecFormatException(SpecName, "activation", $"'{Activation}' is not one of {string.Join(", ", Activations.TransformerNames)}");
        return new GptModel(this, generator, dtype);
    }
}
