using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// RMSProp-preconditioned SGLD (pSGLD, Li, Chen, Carlson &amp; Carin 2016), per chain and coordinate:
/// V ← αV + (1 − α)·g², V̂ = V/(1 − αᵗ), G = s̄/max(√V̂, 10⁻³·s̄) with s̄ the chain's mean √V̂,
/// w ← w − ε/2 · G ⊙ g + √(ε G) ⊙ ζ_t, where g = nβ·∇L + γ(w − w*) and ζ_t is the integrator's noise (as in
/// <see cref="SgldSampler"/>). Normalizing G to mean one keeps ε in SGLD's units, so one calibration grid serves both;
/// G then only redistributes the step between stiff coordinates (smaller steps, stable) and flat ones (larger steps,
/// faster mixing). As usual the Γ correction of the paper is dropped (it is O(1 − α)).
/// </summary>
public sealed class RmspropSgldSampler(SamplerSettings settings, LangevinIntegrator integrator = LangevinIntegrator.LeimkuhlerMatthews,
    double alpha = 0.99) : IChainSampler
{
    private torch.Tensor? _v;
    private torch.Tensor? _previousNoise;
    private long _t;

    /// <inheritdoc />
    public bool Adjusted => false;

    /// <inheritdoc />
    public torch.Tensor? Step(ChainStep step)
    {
        Step(step.Weights, step.LossGradient, step.Center, step.Noise);
        return null;
    }

    private void Step(torch.Tensor weights, torch.Tensor lossGradient, torch.Tensor center, torch.Tensor noise)
    {
        using var scope = torch.NewDisposeScope();
        var g = settings.PotentialGradient(weights, lossGradient, center);
        _t++;
        if (_v is null) _v = torch.zeros_like(g).DetachFromDisposeScope();
        _v.mul_(alpha).addcmul_(g, g, value: 1 - alpha);
        var rms = (_v / (1 - Math.Pow(alpha, _t))).sqrt();
        var mean = rms.mean([1], keepdim: true);
        var floor = mean * 1e-3 + 1e-30;
        var precondition = mean.clamp_min(1e-30) / torch.maximum(rms, floor);
        weights.addcmul_(precondition, g, value: -settings.StepSize / 2);
        var scale = (precondition * settings.StepSize).sqrt();
        if (integrator == LangevinIntegrator.EulerMaruyama || _previousNoise is null)
        {
            weights.addcmul_(scale, noise, value: 1);
            if (integrator == LangevinIntegrator.LeimkuhlerMatthews) _previousNoise = noise.clone().DetachFromDisposeScope();
            return;
        }
        weights.addcmul_(scale, _previousNoise + noise, value: 0.5);
        _previousNoise.copy_(noise);
    }

    /// <inheritdoc />
    public void Reset(long chain)
    {
        _v?[chain].zero_();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _v?.Dispose();
        _previousNoise?.Dispose();
    }
}
