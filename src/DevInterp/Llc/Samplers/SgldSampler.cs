using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// Stochastic gradient Langevin dynamics with localization (Welling &amp; Teh 2011; Lau et al. 2023):
/// w ← w − ε/2 · (nβ·∇L(w) + γ(w − w*)) + √ε · ζ_t, with ζ_t = ξ_t (Euler–Maruyama) or ζ_t = (ξ_t + ξ_{t−1})/2
/// (Leimkuhler–Matthews, the default), ξ ~ N(0, I).
/// </summary>
/// <remarks>
/// The update runs as a few in-place operations on the weights, with no temporary tensors: the localization as
/// w ← w + εγ/2·(w* − w) (<c>lerp_</c>), then the loss drift, then the noise; the constants are made once.
/// </remarks>
public sealed class SgldSampler : IChainSampler
{
    private readonly LangevinIntegrator _integrator;
    private readonly bool _localized;
    private readonly double _pull;      // εγ/2
    private torch.Tensor? _pullTensor;   // εγ/2 as a tensor of the weights' dtype (lerp_ takes a tensor weight)
    private readonly Scalar _drift;     // −ε/2·nβ
    private readonly Scalar _fullNoise; // √ε
    private readonly Scalar _halfNoise; // √ε/2
    private torch.Tensor? _previousNoise;

    /// <summary>Creates the sampler.</summary>
    public SgldSampler(SamplerSettings settings, LangevinIntegrator integrator = LangevinIntegrator.LeimkuhlerMatthews)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _integrator = integrator;
        _localized = settings.Localization != 0;
        _pull = settings.StepSize * settings.Localization / 2;
        _drift = (-settings.StepSize / 2 * settings.NBeta).ToScalar();
        _fullNoise = Math.Sqrt(settings.StepSize).ToScalar();
        _halfNoise = (Math.Sqrt(settings.StepSize) / 2).ToScalar();
    }

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
        // The pull to w* uses the weights before this step's drift, as in w − ε/2·(nβ·∇L(w) + γ(w − w*)).
        if (_localized)
        {
            if (_pullTensor is null || _pullTensor.dtype != weights.dtype)
            {
                _pullTensor?.Dispose();
                _pullTensor = torch.tensor(_pull, dtype: weights.dtype).DetachFromDisposeScope();
            }
            weights.lerp_(center, _pullTensor);
        }
        weights.add_(lossGradient, alpha: _drift);
        if (_integrator == LangevinIntegrator.EulerMaruyama)
        {
            weights.add_(noise, alpha: _fullNoise);
            return;
        }
        if (_previousNoise is null)
        {
            // The first step has no earlier draw to share; a full draw starts the chain, the average takes over after.
            weights.add_(noise, alpha: _fullNoise);
            _previousNoise = noise.detach().clone().DetachFromDisposeScope();
            return;
        }
        weights.add_(_previousNoise.add_(noise, Potentials.Scalars.One), alpha: _halfNoise);
        _previousNoise.copy_(noise);
    }

    /// <inheritdoc />
    public void Reset(long chain) { }

    /// <inheritdoc />
    public void Dispose()
    {
        _previousNoise?.Dispose();
        _pullTensor?.Dispose();
        _drift.Dispose();
        _fullNoise.Dispose();
        _halfNoise.Dispose();
    }
}
