using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// Stochastic gradient Langevin dynamics with localization (Welling &amp; Teh 2011; Lau et al. 2023):
/// w ← w − ε/2 · (nβ·∇L(w) + γ(w − w*)) + √ε · ζ_t, with ζ_t = ξ_t (Euler–Maruyama) or ζ_t = (ξ_t + ξ_{t−1})/2
/// (Leimkuhler–Matthews, the default), ξ ~ N(0, I).
/// </summary>
public sealed class SgldSampler(SamplerSettings settings, LangevinIntegrator integrator = LangevinIntegrator.LeimkuhlerMatthews) : IChainSampler
{
    private torch.Tensor? _previousNoise;

    /// <inheritdoc />
    public void Step(torch.Tensor weights, torch.Tensor lossGradient, torch.Tensor center, torch.Tensor noise)
    {
        using var scope = torch.NewDisposeScope();
        var drift = settings.PotentialGradient(weights, lossGradient, center);
        weights.add_(drift, alpha: -settings.StepSize / 2);
        if (integrator == LangevinIntegrator.EulerMaruyama)
        {
            weights.add_(noise, alpha: Math.Sqrt(settings.StepSize));
            return;
        }
        if (_previousNoise is null)
        {
            // The first step has no earlier draw to share; a full draw starts the chain, the average takes over after.
            weights.add_(noise, alpha: Math.Sqrt(settings.StepSize));
            _previousNoise = noise.clone().DetachFromDisposeScope();
            return;
        }
        weights.add_(_previousNoise, alpha: Math.Sqrt(settings.StepSize) / 2).add_(noise, alpha: Math.Sqrt(settings.StepSize) / 2);
        _previousNoise.copy_(noise);
    }

    /// <inheritdoc />
    public void Reset(long chain) { }

    /// <inheritdoc />
    public void Dispose() => _previousNoise?.Dispose();
}
