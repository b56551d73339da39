using DevInterp.Llc.Potentials;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// An <see cref="MlpSpec"/> with a token embedding for C chains at once: each chain looks its tokens up in its own
/// <c>embed.weight</c>, concatenates or sums them, and runs the Linear layers (batched matrix products) with the spec's
/// activation between them. Parameters are named and ordered as the module's <c>named_parameters()</c>. Inputs are
/// int64 token ids [C, B, k] → outputs [C, B, out]. Gradients come from autograd (the embedding lookup is a gather).
/// </summary>
public sealed class EmbeddingMlpChainModel : IChainModel
{
    private readonly Func<torch.Tensor, torch.Tensor> _activation;
    private readonly MlpEmbedding _embedding;

    /// <summary>Creates the chain model of a spec with an embedding.</summary>
    public EmbeddingMlpChainModel(MlpSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _embedding = spec.Embedding ?? throw new ArgumentException("the spec has no embedding; use MlpChainModel", nameof(spec));
        Spec = spec;
        _activation = ChainOps.Activation(spec.Activation);
        ParameterShapes = spec.Parameters.Select(p => (p.Name, p.Shape.ToArray())).ToList();
    }

    /// <summary>The spec.</summary>
    public MlpSpec Spec { get; }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs)
    {
        long chains = ChainOps.CheckParameters(ParameterShapes, parameters);
        if (inputs.dtype != torch.ScalarType.Int64 || inputs.dim() != 3 || inputs.shape[0] != chains)
            throw new ArgumentException($"inputs: the MLP with an embedding expects token ids [chains={chains}, batch, tokens], got {inputs.dtype} [{string.Join(", ", inputs.shape)}]", nameof(inputs));
        long batch = inputs.shape[1], k = inputs.shape[2], dim = _embedding.Dim;
        var table = parameters[0];
        // One gather per chain from its own table (no expanded copies of the tables).
        var embedded = torch.stack(Enumerable.Range(0, (int)chains)
            .Select(c => table[c].index_select(0, inputs[c].reshape(-1)).reshape(batch, k, dim)).ToArray());
        var x = _embedding.Combine == "sum" ? embedded.sum(2) : embedded.reshape(chains, batch, k * dim);
        int index = 1;
        for (int i = 0; i < Spec.LinearCount; i++)
        {
            var weight = parameters[index++];
            var bias = Spec.Bias ? parameters[index++] : null;
            x = ChainOps.Linear(x, weight, bias);
            if (i < Spec.LinearCount - 1) x = _activation(x);
        }
        return x;
    }
}
