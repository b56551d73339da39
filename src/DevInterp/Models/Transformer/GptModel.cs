using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DevInterp.Models.Transformer;

/// <summary>
/// The module a <see cref="TransformerSpec"/> builds: token ids [batch, seq] (or [seq]) of int64 → logits
/// [batch, seq, vocab_out] (or [seq, vocab_out]). Submodules, each hookable by name: <c>wte</c>, <c>wpe</c>, <c>hook_embed</c>
/// (token + position embedding, the residual stream entering block 0), <c>h.{i}</c> (output = residual stream after
/// block i), <c>ln_f</c>, and <c>lm_head</c> when embeddings are not tied.
/// </summary>
public sealed class GptModel : ExplicitModule
{
    private readonly TransformerSpec _spec;
    private readonly Embedding _wte;
    private readonly Embedding _wpe;
    private readonly HookPoint _hookEmbed = new();
    private readonly ModuleList<GptBlock> _blocks = new();
    private readonly nn.Module<Tensor, Tensor> _lnF;
    private readonly Linear? _lmHead;

    internal GptModel(TransformerSpec spec, Generator generator, ScalarType dtype) : base(nameof(GptModel))
    {
        _spec = spec;
        _wte = nn.Embedding(spec.Vocab, spec.DModel, dtype: dtype);
        _wpe = nn.Embedding(spec.Context, spec.DModel, dtype: dtype);
        // GPT-2 initialisation: N(0, 0.02) weights, zero biases, residual projections scaled by 1/sqrt(2·layers).
        ParameterInit.Normal(_wte.weight!, 0.02, generator);
        ParameterInit.Normal(_wpe.weight!, 0.01, generator);
        double projStd = 0.02 / Math.Sqrt(2.0 * Math.Max(1, spec.Layers));
        for (int i = 0; i < spec.Layers; i++) _blocks.Add(new GptBlock(spec, generator, dtype, projStd));
        _lnF = GptBlock.Norm(spec, dtype);
        register_module("wte", _wte);
        register_module("wpe", _wpe);
        register_module("hook_embed", _hookEmbed);
        register_module("h", _blocks);
        register_module("ln_f", _lnF);
        if (!spec.TieEmbeddings)
        {
            _lmHead = nn.Linear(spec.DModel, spec.OutputSize, hasBias: spec.UnembedBias, dtype: dtype);
            ParameterInit.Normal(_lmHead.weight!, 0.02, generator);
            if (_lmHead.bias is { } bias) ParameterInit.Fill(bias, 0);
            register_module("lm_head", _lmHead);
        }
    }

    /// <summary>The spec this model was built from.</summary>
    public TransformerSpec Spec => _spec;

    /// <summary>The blocks h.0, h.1, ...</summary>
    public IReadOnlyList<GptBlock> Blocks => [.. _blocks];

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (input.dtype != ScalarType.Int64)
            throw new ArgumentException($"transformer input must be int64 token ids, got {input.dtype}", nameof(input));
        bool unbatched = input.dim() == 1;
        if (input.dim() is not (1 or 2))
            throw new ArgumentException($"transformer input must be [seq] or [batch, seq], got shape [{string.Join(", ", input.shape)}]", nameof(input));
        var tokens = unbatched ? input.unsqueeze(0) : input;
        long seq = tokens.shape[1];
        if (seq > _spec.Context)
            throw new ArgumentException($"sequence length {seq} exceeds the model's context {_spec.Context}", nameof(input));
        var positions = arange(seq, dtype: ScalarType.Int64, device: tokens.device);
        var x = _hookEmbed.call(_wte.call(tokens) + _wpe.call(positions));
        foreach (var block in _blocks) x = block.call(x);
        x = _lnF.call(x);
        var logits = _lmHead is null ? x.matmul(_wte.weight!.t()) : _lmHead.call(x);
        return unbatched ? logits.squeeze(0) : logits;
    }
}
