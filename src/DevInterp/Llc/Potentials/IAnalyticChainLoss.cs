using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// An <see cref="IChainLoss"/> that also gives its gradient with respect to the predictions in closed form, so a
/// <see cref="BatchedPotential"/> over an <see cref="IAnalyticChainModel"/> can back-propagate without autograd.
/// </summary>
public interface IAnalyticChainLoss : IChainLoss
{
    /// <summary>
    /// The mean loss per chain ([C], equal to <see cref="IChainLoss.Compute"/>) and ∂(Σ_c loss_c)/∂predictions, shaped
    /// like the predictions ([C, B, ...]).
    /// </summary>
    (torch.Tensor Loss, torch.Tensor PredictionGradient) ComputeWithGradient(torch.Tensor predictions, torch.Tensor targets);
}
