using static TorchSharp.torch;

namespace DevInterp.Models.Transformer;

/// <summary>
/// One pre-norm block <c>h.{i}</c>: x + attn(ln_1(x)) → <c>hook_resid_mid</c> → + mlp(ln_2(·)); an attention-only
/// block (<see cref="TransformerSpec.AttnOnly"/>) stops after x + attn(ln_1(x)). Its output is the residual stream after
/// the block; <c>attn</c> and <c>mlp</c> outputs are what each adds to the stream.
/// </summary>
public sealed class GptBlock : ExplicitModule
{
    private readonly nn.Module<Tensor, Tensor> _ln1;
    private readonly CausalSelfAttention _attn;
    private readonly HookPoint? _hookResidMid;
    private readonly nn.Module<Tensor, Tensor>? _ln2;
    private readonly GptMlp? _mlp;

    internal GptBlock(TransformerSpec spec, Generator generator, ScalarType dtype, double projStd) : base(nameof(GptBlock))
    {
        _ln1 = Norm(spec, dtype);
        _attn = new CausalSelfAttention(spec, generator, dtype, projStd);
        register_module("ln_1", _ln1);
        register_module("attn", _attn);
        if (spec.AttnOnly) return;
        _hookResidMid = new HookPoint();
        _ln2 = Norm(spec, dtype);
        _mlp = new GptMlp(spec, generator, dtype, projStd);
        register_module("hook_resid_mid", _hookResidMid);
        register_module("ln_2", _ln2);
        register_module("mlp", _mlp);
    }

    /// <summary>A LayerNorm (weight 1, bias 0) or, with layer norm off, a parameter-free identity.</summary>
    internal static nn.Module<Tensor, Tensor> Norm(TransformerSpec spec, ScalarType dtype) =>
        spec.LayerNorm ? nn.LayerNorm(spec.DModel, spec.LayerNormEps, dtype: dtype) : nn.Identity();

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var mid = x + _attn.call(_ln1.call(x));
        if (_mlp is null) return mid;
        mid = _hookResidMid!.call(mid);
        return mid + _mlp.call(_ln2!.call(mid));
    }
}
