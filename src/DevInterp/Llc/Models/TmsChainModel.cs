using DevInterp.Llc.Potentials;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// The toy model of superposition (<see cref="TmsSpec"/>) for C chains at once: ReLU(Wᵀ W x + b_final) with parameters
/// <c>W</c> [C, hidden, features] and <c>b_final</c> [C, features]. Inputs [C, B, ..., features] → outputs of the same shape.
/// Back-propagates by hand (<see cref="IAnalyticChainModel"/>).
/// </summary>
public sealed class TmsChainModel : LinearStackChainModel
{
    /// <summary>Creates the chain model of a spec.</summary>
    public TmsChainModel(TmsSpec spec)
        // W x, then ReLU(Wᵀ h + b_final): the second layer uses W transposed.
        : base((spec ?? throw new ArgumentNullException(nameof(spec))).Parameters.Select(p => (p.Name, p.Shape.ToArray())).ToList(),
            [new StackLayer(0, false, -1, StackActivation.Identity), new StackLayer(0, true, 1, StackActivation.Relu)], spec.Features, "tms")
    {
        Spec = spec;
    }

    /// <summary>The spec.</summary>
    public TmsSpec Spec { get; }
}
