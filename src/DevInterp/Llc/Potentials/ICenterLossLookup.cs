using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// An <see cref="IChainPotential"/> that knows the loss of every training sample at w*, so the loss at w* on any
/// minibatch is a lookup and a mean instead of a forward pass. The estimator uses it for L_b(w*) on draws without
/// control variates (with them, the forward pass at w* runs anyway for ∇L_b(w*)).
/// </summary>
public interface ICenterLossLookup
{
    /// <summary>
    /// The mean loss at w* over each chain's minibatch: [C] for sample indices [C, B]; equal, up to float rounding, to
    /// <see cref="IChainPotential.Loss"/> at w* on the same indices.
    /// </summary>
    torch.Tensor CenterLoss(torch.Tensor batchIndices);
}
