using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DevInterp.Models.Transformer;

/// <summary>
/// Multi-head causal self-attention written out explicitly (no fused kernel) so every intermediate is visible:
/// <c>c_attn</c> (Linear d → 3·heads·d_head producing q, k, v in that order, each head's d_head rows together), scores
/// q·kᵀ/sqrt(d_head) with future positions masked, softmax → <c>hook_pattern</c> [batch, heads, query, key], weighted
/// sum of v, <c>c_proj</c> (Linear heads·d_head → d).
/// </summary>
public sealed class CausalSelfAttention : ExplicitModule
{
    private readonly Linear _cAttn;
    private readonly Linear _cProj;
    private readonly HookPoint _hookPattern = new();
    private readonly long _heads;
    private readonly long _dHead;

    internal CausalSelfAttention(TransformerSpec spec, Generator generator, ScalarType dtype, double projStd) : base(nameof(CausalSelfAttention))
    {
        _heads = spec.Heads;
        _dHead = spec.DHead;
        _cAttn = nn.Linear(spec.DModel, 3 * spec.DAttention, hasBias: true, dtype: dtype);
        _cProj = nn.Linear(spec.DAttention, spec.DModel, hasBias: true, dtype: dtype);
        ParameterInit.Normal(_cAttn.weight!, 0.02, generator);
        ParameterInit.Fill(_cAttn.bias!, 0);
        ParameterInit.Normal(_cProj.weight!, projStd, generator);
        ParameterInit.Fill(_cProj.bias!, 0);
        register_module("c_attn", _cAttn);
        register_module("c_proj", _cProj);
        register_module("hook_pattern", _hookPattern);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        long batch = x.shape[0], seq = x.shape[1], dHead = _dHead, inner = _heads * _dHead;
        var qkv = _cAttn.call(x).split(inner, dim: -1);
        Tensor Heads(Tensor t) => t.view(batch, seq, _heads, dHead).transpose(1, 2);
        Tensor q = Heads(qkv[0]), k = Heads(qkv[1]), v = Heads(qkv[2]);
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(dHead);
        var future = ones(seq, seq, dtype: ScalarType.Bool, device: x.device).triu(1);
        var pattern = _hookPattern.call(scores.masked_fill(future, double.NegativeInfinity).softmax(-1));
        var z = pattern.matmul(v).transpose(1, 2).contiguous().view(batch, seq, inner);
        return _cProj.call(z);
    }
}
