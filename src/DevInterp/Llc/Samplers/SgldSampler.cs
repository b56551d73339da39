using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// Stochastic gradient Langevin dynamics with localization (Welling &amp; Teh 2011; Lau et al. 2023):
/// w ← w − ε/2 · (nβ·∇L(w) + γ(w − w*)) + √ε · ξ, ξ ~ N(0, I).
/// </summary>
public sealed class SgldSampler(SamplerSettings settings) : IChainSampler
{
    /// <inheritdoc />
    public void Step(torch.Tensor weights, torch.Tensor lossGradient, torch.Tensor center, torch.Tensor noise)
    {
        using var scope = torch.NewDisposeScope();
        var drift = settings.PotentialGradient(weights, lossGradient, center);
        weights.add_(drift, alpha: -settings.StepSize / 2).add_(noise, alpha: Math.Sqrt(settings.StepSize));
    }

    /// <inheritdoc />
    public void Reset(long chain) { }

    /// <inheritdoc />
    public void Dispose() { }
}
