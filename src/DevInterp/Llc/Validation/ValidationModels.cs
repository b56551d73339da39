using DevInterp.Llc.Models;
using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Validation;

/// <summary>
/// Linear regression without bias, y = x·wᵀ: parameter <c>weight</c> [outputs, inputs]; inputs [C, B, inputs] →
/// outputs [C, B, outputs]. Back-propagates by hand (<see cref="IAnalyticChainModel"/>).
/// </summary>
public sealed class LinearChainModel(int inputs, int outputs)
    : LinearStackChainModel([("weight", [outputs, inputs])], [new StackLayer(0, false, -1, StackActivation.Identity)], inputs, "linear regression");

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
public sealed class DeepLinearChainModel : LinearStackChainModel
{
    /// <summary>Creates the network for widths [H₀, H₁, …, H_L].</summary>
    public DeepLinearChainModel(IReadOnlyList<int> widths)
        : base(Shapes(widths), Enumerable.Range(0, widths.Count - 1).Select(i => new StackLayer(i, false, -1, StackActivation.Identity)).ToList(),
            widths[0], "deep linear network")
    {
        Widths = widths.ToArray();
    }

    private static List<(string Name, long[] Shape)> Shapes(IReadOnlyList<int> widths)
    {
        if (widths.Count < 2) throw new ArgumentException("need at least input and output widths");
        return Enumerable.Range(0, widths.Count - 1).Select(i => ($"layers.{i}.weight", new long[] { widths[i + 1], widths[i] })).ToList();
    }

    /// <summary>Layer widths.</summary>
    public IReadOnlyList<int> Widths { get; }
}
