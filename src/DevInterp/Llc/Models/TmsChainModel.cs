using DevInterp.Llc.Potentials;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// The toy model of superposition (<see cref="TmsSpec"/>) for C chains at once: ReLU(Wᵀ W x + b_final) with parameters
/// <c>W</c> [C, hidden, features] and <c>b_final</c> [C, features]. Inputs [C, B, ..., features] → outputs of the same shape.
/// </summary>
public sealed class TmsChainModel : IChainModel
{
    /// <summary>Creates the chain model of a spec.</summary>
    public TmsChainModel(TmsSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        ParameterShapes = spec.Parameters.Select(p => (p.Name, p.Shape.ToArray())).ToList();
    }

    /// <summary>The spec.</summary>
    public TmsSpec Spec { get; }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs)
    {
        long chains = ChainOps.CheckParameters(ParameterShapes, parameters);
        ChainOps.CheckVectorInputs(inputs, chains, Spec.Features, "tms");
        var w = parameters[0];
        var hidden = ChainOps.Linear(inputs, w, null);                             // W x: [C, ..., hidden]
        var output = ChainOps.Linear(hidden, w.transpose(1, 2), parameters[1]); // Wᵀ h + b: [C, ..., features]
        return torch.nn.functional.relu(output);
    }
}
