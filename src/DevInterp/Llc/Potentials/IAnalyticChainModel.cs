using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// An <see cref="IChainModel"/> that back-propagates by hand: a <see cref="BatchedPotential"/> over it and an
/// <see cref="IAnalyticChainLoss"/> computes gradients with a fixed, short sequence of batched operations instead of
/// building an autograd graph every step (the same values up to float rounding; much less overhead per step).
/// </summary>
public interface IAnalyticChainModel : IChainModel
{
    /// <summary>
    /// The forward pass of <see cref="IChainModel.Forward"/> (same outputs), keeping what the backward pass needs.
    /// Tensors it makes belong to the caller's dispose scope.
    /// </summary>
    IChainBackward ForwardForBackward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs);
}

/// <summary>A recorded forward pass of an <see cref="IAnalyticChainModel"/>.</summary>
public interface IChainBackward
{
    /// <summary>The outputs [C, B, ...].</summary>
    torch.Tensor Outputs { get; }

    /// <summary>
    /// For each parameter i with <paramref name="wanted"/>[i], the gradient of Σ ⟨outputGradient, outputs⟩ (summed over
    /// chains and every other dimension) with respect to parameter i, shaped like it ([C, ...shape_i]); null where not
    /// wanted. Back-propagation stops at the earliest layer with a wanted parameter.
    /// </summary>
    torch.Tensor?[] Backward(torch.Tensor outputGradient, IReadOnlyList<bool> wanted);
}
