using DevInterp.Llc.Potentials;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// An <see cref="MlpSpec"/> network for C chains at once: Linear layers (batched matrix products) with the spec's
/// activation between them. Parameters are named and ordered exactly as the module's <c>named_parameters()</c>
/// (<c>layers.0.weight</c>, <c>layers.0.bias</c>, <c>layers.2.weight</c>, ... with sequential naming). Inputs
/// [C, B, ..., in] → outputs [C, B, ..., out]. Back-propagates by hand (<see cref="IAnalyticChainModel"/>).
/// </summary>
public sealed class MlpChainModel : LinearStackChainModel
{
    /// <summary>Creates the chain model of a spec.</summary>
    public MlpChainModel(MlpSpec spec)
        : base(Shapes(spec), Layers(spec), spec.Widths[0], "mlp")
    {
        Spec = spec;
    }

    /// <summary>The spec.</summary>
    public MlpSpec Spec { get; }

    private static List<(string Name, long[] Shape)> Shapes(MlpSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Parameters.Select(p => (p.Name, p.Shape.ToArray())).ToList();
    }

    private static List<StackLayer> Layers(MlpSpec spec)
    {
        var activation = LinearChainStack.ActivationOf(spec.Activation)
            ?? throw new ArgumentException($"model spec field 'activation': '{spec.Activation}' is not one of relu, tanh, gelu", nameof(spec));
        int perLayer = spec.Bias ? 2 : 1;
        return Enumerable.Range(0, spec.LinearCount).Select(i => new StackLayer(perLayer * i, false,
            spec.Bias ? perLayer * i + 1 : -1, i < spec.LinearCount - 1 ? activation : StackActivation.Identity)).ToList();
    }
}
