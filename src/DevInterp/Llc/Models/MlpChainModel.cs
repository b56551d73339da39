using DevInterp.Llc.Potentials;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// An <see cref="MlpSpec"/> network for C chains at once: Linear layers (batched matrix products) with the spec's
/// activation between them. Parameters are named and ordered exactly as the module's <c>named_parameters()</c>
/// (<c>layers.0.weight</c>, <c>layers.0.bias</c>, <c>layers.2.weight</c>, ... with sequential naming). Inputs
/// [C, B, ..., in] → outputs [C, B, ..., out].
/// </summary>
public sealed class MlpChainModel : IChainModel
{
    private readonly Func<torch.Tensor, torch.Tensor> _activation;

    /// <summary>Creates the chain model of a spec.</summary>
    public MlpChainModel(MlpSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
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
        ChainOps.CheckVectorInputs(inputs, chains, Spec.Widths[0], "mlp");
        int perLayer = Spec.Bias ? 2 : 1;
        var x = inputs;
        for (int i = 0; i < Spec.LinearCount; i++)
        {
            x = ChainOps.Linear(x, parameters[perLayer * i], Spec.Bias ? parameters[perLayer * i + 1] : null);
            if (i < Spec.LinearCount - 1) x = _activation(x);
        }
        return x;
    }
}
