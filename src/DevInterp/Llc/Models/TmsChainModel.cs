using DevInterp.Llc.Potentials;
using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// The toy model of superposition (<see cref="TmsSpec"/>) for C chains at once: ReLU(Wᵀ W x + b_final) with parameters
/// <c>W</c> [C, hidden, features] and <c>b_final</c> [C, features]. Inputs [C, B, ..., features] → outputs of the same shape.
/// Back-propagates by hand (<see cref="IAnalyticChainModel"/>).
/// </summary>
public sealed class TmsChainModel : IAnalyticChainModel
{
    private readonly LinearChainStack _stack;

    /// <summary>Creates the chain model of a spec.</summary>
    public TmsChainModel(TmsSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        ParameterShapes = spec.Parameters.Select(p => (p.Name, p.Shape.ToArray())).ToList();
        // W x, then ReLU(Wᵀ h + b_final): the second layer uses W transposed.
        _stack = new LinearChainStack([new StackLayer(0, false, -1, StackActivation.Identity), new StackLayer(0, true, 1, StackActivation.Relu)],
            ParameterShapes.Select(p => p.Shape).ToList());
    }

    /// <summary>The spec.</summary>
    public TmsSpec Spec { get; }

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
        ChainOps.CheckVectorInputs(inputs, chains, Spec.Features, "tms");
    }
}
