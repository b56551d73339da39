using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Models;

/// <summary>
/// A chain model that is a stack of linear layers (batched matrix products, optional biases and activations, weights
/// possibly shared and transposed): the MLP, the deep linear network, the toy model of superposition and linear
/// regression. Checks its parameters and inputs, then runs the stack forward or records it for the hand-written
/// backward pass (<see cref="IAnalyticChainModel"/>).
/// </summary>
public abstract class LinearStackChainModel : IAnalyticChainModel
{
    private readonly LinearChainStack _stack;
    private readonly long _inputWidth;
    private readonly string _kind;

    private protected LinearStackChainModel(IReadOnlyList<(string Name, long[] Shape)> parameterShapes, IReadOnlyList<StackLayer> layers,
        long inputWidth, string kind)
    {
        ParameterShapes = parameterShapes;
        _stack = new LinearChainStack(layers, parameterShapes.Select(p => p.Shape).ToList());
        _inputWidth = inputWidth;
        _kind = kind;
    }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; }

    /// <summary>The layers, first to last.</summary>
    internal IReadOnlyList<StackLayer> StackLayers => _stack.Layers;

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

    /// <summary>The outputs for k-hot inputs (see <see cref="KHotInputs"/>).</summary>
    internal torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, KHotBatch inputs)
    {
        Check(parameters, inputs);
        return _stack.Forward(parameters, inputs);
    }

    /// <summary>The recorded forward pass for k-hot inputs (see <see cref="KHotInputs"/>).</summary>
    internal IChainBackward ForwardForBackward(IReadOnlyList<torch.Tensor> parameters, KHotBatch inputs)
    {
        Check(parameters, inputs);
        return _stack.Record(parameters, inputs);
    }

    private void Check(IReadOnlyList<torch.Tensor> parameters, KHotBatch inputs)
    {
        long chains = ChainOps.CheckParameters(ParameterShapes, parameters);
        if (inputs.Chains != chains || inputs.Width != _inputWidth)
            throw new ArgumentException($"inputs: {_kind} expects k-hot rows of width {_inputWidth} for {chains} chains, got width {inputs.Width} for {inputs.Chains}", nameof(inputs));
    }

    private void Check(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs)
    {
        long chains = ChainOps.CheckParameters(ParameterShapes, parameters);
        ChainOps.CheckVectorInputs(inputs, chains, _inputWidth, _kind);
    }
}
