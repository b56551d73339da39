using DevInterp.Llc.Potentials;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// The GPT-2-style transformer of a <see cref="TransformerSpec"/> for C chains at once: token and position embeddings,
/// pre-norm blocks of causal multi-head attention and MLP, final norm, tied (<c>wte</c>) or untied (<c>lm_head</c>)
/// logits. Every projection is a batched matrix product over the chains; attention is batched over chains, sequences
/// and heads. Parameters are named and ordered exactly as the module's <c>named_parameters()</c>. Inputs are int64
/// token ids [C, B, T] (T ≤ context) → logits [C, B, T, vocab_out].
/// </summary>
public sealed class TransformerChainModel : IChainModel
{
    private readonly Func<torch.Tensor, torch.Tensor> _activation;
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates the chain model of a spec.</summary>
    public TransformerChainModel(TransformerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Heads < 1 || (spec.HeadDim is null && spec.DModel % spec.Heads != 0))
            throw new ArgumentException($"model spec field 'heads': must divide d_model ({spec.DModel}), got {spec.Heads}", nameof(spec));
        Spec = spec;
        _activation = ChainOps.Activation(spec.Activation);
        ParameterShapes = spec.Parameters.Select(p => (p.Name, p.Shape.ToArray())).ToList();
        _index = ParameterShapes.Select((p, i) => (p.Name, i)).ToDictionary(p => p.Name, p => p.i);
    }

    /// <summary>The spec.</summary>
    public TransformerSpec Spec { get; }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs)
    {
        long chains = ChainOps.CheckParameters(ParameterShapes, parameters);
        CheckTokens(inputs, chains);
        torch.Tensor P(string name) => parameters[_index[name]];
        long batch = inputs.shape[1], seq = inputs.shape[2], d = Spec.DModel;

        // Embedding lookup per chain: each chain indexes its own table (C index_selects, no copy of expanded tables).
        var wte = P("wte.weight");
        var tokens = torch.stack(Enumerable.Range(0, (int)chains)
            .Select(c => wte[c].index_select(0, inputs[c].reshape(-1)).reshape(batch, seq, d)).ToArray());
        var positions = P("wpe.weight").narrow(1, 0, seq).unsqueeze(1); // [C, 1, T, d]
        var x = tokens + positions;

        var future = torch.ones(seq, seq, dtype: torch.ScalarType.Bool).triu(1);
        for (int i = 0; i < Spec.Layers; i++)
        {
            string p = $"h.{i}.";
            var attention = Attention(Norm(x, p + "ln_1", P), p + "attn.", P, future);
            x = x + attention;
            if (Spec.AttnOnly) continue;
            var hidden = ChainOps.Linear(Norm(x, p + "ln_2", P), P(p + "mlp.c_fc.weight"), P(p + "mlp.c_fc.bias"));
            x = x + ChainOps.Linear(_activation(hidden), P(p + "mlp.c_proj.weight"), P(p + "mlp.c_proj.bias"));
        }
        x = Norm(x, "ln_f", P);
        var head = Spec.TieEmbeddings ? wte : P("lm_head.weight");
        return ChainOps.Linear(x, head, !Spec.TieEmbeddings && Spec.UnembedBias ? P("lm_head.bias") : null);
    }

    private torch.Tensor Norm(torch.Tensor x, string name, Func<string, torch.Tensor> p) =>
        Spec.LayerNorm ? ChainOps.LayerNorm(x, p(name + ".weight"), p(name + ".bias"), Spec.LayerNormEps) : x;

    // Causal multi-head self-attention on x [C, B, T, d]: q, k, v from c_attn (in that order), heads split from d.
    private torch.Tensor Attention(torch.Tensor x, string prefix, Func<string, torch.Tensor> p, torch.Tensor future)
    {
        long chains = x.shape[0], batch = x.shape[1], seq = x.shape[2], inner = Spec.DAttention, heads = Spec.Heads, dHead = Spec.DHead;
        var qkv = ChainOps.Linear(x, p(prefix + "c_attn.weight"), p(prefix + "c_attn.bias")).split(inner, dim: -1);
        torch.Tensor Heads(torch.Tensor t) => t.reshape(chains, batch, seq, heads, dHead).permute(0, 1, 3, 2, 4); // [C, B, H, T, dh]
        var q = Heads(qkv[0]);
        var k = Heads(qkv[1]);
        var v = Heads(qkv[2]);
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(dHead);
        var pattern = scores.masked_fill(future, double.NegativeInfinity).softmax(-1);
        var z = pattern.matmul(v).permute(0, 1, 3, 2, 4).reshape(chains, batch, seq, inner);
        return ChainOps.Linear(z, p(prefix + "c_proj.weight"), p(prefix + "c_proj.bias"));
    }

    private void CheckTokens(torch.Tensor inputs, long chains)
    {
        if (inputs.dtype != torch.ScalarType.Int64)
            throw new ArgumentException($"inputs: the transformer expects int64 token ids, got {inputs.dtype}", nameof(inputs));
        if (inputs.dim() != 3 || inputs.shape[0] != chains)
            throw new ArgumentException($"inputs: the transformer expects token ids [chains={chains}, batch, sequence], got [{string.Join(", ", inputs.shape)}]", nameof(inputs));
        if (inputs.shape[2] > Spec.Context)
            throw new ArgumentException($"inputs: sequence length {inputs.shape[2]} exceeds the model's context {Spec.Context}", nameof(inputs));
        if (inputs.numel() > 0)
        {
            long min = inputs.min().item<long>(), max = inputs.max().item<long>();
            if (min < 0 || max >= Spec.Vocab)
                throw new ArgumentException($"inputs: token ids must lie in [0, {Spec.Vocab}), got values from {min} to {max}", nameof(inputs));
        }
    }
}
