using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Validation;

/// <summary>
/// Linear regression without bias, y = x·wᵀ: parameter <c>weight</c> [outputs, inputs]; inputs [C, B, inputs] →
/// outputs [C, B, outputs]. Back-propagates by hand (<see cref="IAnalyticChainModel"/>).
/// </summary>
public sealed class LinearChainModel(int inputs, int outputs) : IAnalyticChainModel
{
    private readonly LinearChainStack _stack = new([new StackLayer(0, false, -1, StackActivation.Identity)], [[outputs, inputs]]);

    /// <inheritdoc />
    public IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; } = [("weight", [outputs, inputs])];

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs) => _stack.Forward(parameters, inputs);

    /// <inheritdoc />
    public IChainBackward ForwardForBackward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs) => _stack.Record(parameters, inputs);
}

/// <summary>
/// The normal-crossing model y = w₁ᵃ·w₂ᵇ·x with scalar input and output: parameters <c>w1</c> and <c>w2</c>, shape [1].
/// At w = 0 its learning coefficient is 1/(2·max(a, b)) (multiplicity 1 when a ≠ b).
/// </summary>
public sealed class NormalCrossingChainModel(int a, int b) : IChainModel
{
    /// <summary>Exponent of w₁.</summary>
    public int A { get; } = a;

    /// <summary>Exponent of w₂.</summary>
    public int B { get; } = b;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; } = [("w1", [1]), ("w2", [1])];

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs)
    {
        var coefficient = parameters[0].pow(A) * parameters[1].pow(B); // [C, 1]
        return inputs * coefficient.unsqueeze(1);                         // [C, B, 1]
    }
}

/// <summary>
/// A deep linear network without biases, y = W_L ⋯ W_1 x, with parameters <c>layers.{i}.weight</c> shaped [out, in]
/// (PyTorch's nn.Linear layout), for C chains at once; also the chain model of a <see cref="DevInterp.Models.DlnSpec"/>.
/// Inputs [C, B, ..., in] → outputs [C, B, ..., out]. Back-propagates by hand (<see cref="IAnalyticChainModel"/>).
/// </summary>
public sealed class DeepLinearChainModel : IAnalyticChainModel
{
    private readonly LinearChainStack _stack;

    /// <summary>Creates the network for widths [H₀, H₁, …, H_L].</summary>
    public DeepLinearChainModel(IReadOnlyList<int> widths)
    {
        if (widths.Count < 2) throw new ArgumentException("need at least input and output widths");
        Widths = widths.ToArray();
        ParameterShapes = Enumerable.Range(0, widths.Count - 1)
            .Select(i => ($"layers.{i}.weight", new long[] { widths[i + 1], widths[i] })).ToList();
        _stack = new LinearChainStack(Enumerable.Range(0, widths.Count - 1)
            .Select(i => new StackLayer(i, false, -1, StackActivation.Identity)).ToList(), ParameterShapes.Select(p => p.Shape).ToList());
    }

    /// <summary>Layer widths.</summary>
    public IReadOnlyList<int> Widths { get; }

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
        long chains = Models.ChainOps.CheckParameters(ParameterShapes, parameters);
        Models.ChainOps.CheckVectorInputs(inputs, chains, Widths[0], "deep linear network");
    }
}
