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
public sealed class MlpChainModel : IAnalyticChainModel
{
    private readonly LinearChainStack _stack;

    /// <summary>Creates the chain model of a spec.</summary>
    public MlpChainModel(MlpSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        var activation = LinearChainStack.ActivationOf(spec.Activation)
            ?? throw new ArgumentException($"model spec field 'activation': '{spec.Activation}' is not one of relu, tanh, gelu", nameof(spec));
        ParameterShapes = spec.Parameters.Select(p => (p.Name, p.Shape.ToArray())).ToList();
        int perLayer = spec.Bias ? 2 : 1;
        _stack = new LinearChainStack(Enumerable.Range(0, spec.LinearCount).Select(i => new StackLayer(perLayer * i, false,
            spec.Bias ? perLayer * i + 1 : -1, i < spec.LinearCount - 1 ? activation : StackActivation.Identity)).ToList(), ParameterShapes.Select(p => p.Shape).ToList());
    }

    /// <summary>The spec.</summary>
    public MlpSpec Spec { get; }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs)
    {
        Check(parameters, inputs);
        return _stack.Forward(parameters, inputs);
    }

    /// <inheritdoc />
    public IChainBackward ForwardForBackward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs)
    {
        Check(parameters, inputs);
        return _stack.Record(parameters, inputs);
    }

    private void Check(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs)
    {
        long chains = ChainOps.CheckParameters(ParameterShapes, parameters);
        ChainOps.CheckVectorInputs(inputs, chains, Spec.Widths[0], "mlp");
    }
}
