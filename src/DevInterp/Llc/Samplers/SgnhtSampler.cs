using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// Stochastic gradient Nosé–Hoover thermostat (Ding et al. 2014), in the step-scaled form with velocity u = p·h and
/// ε = h²: u ← u − ξ·u − ε·g + √(2Aε)·η; w ← w + u; ξ ← ξ + (‖u‖²/D − ε), one thermostat ξ per chain, with
/// g = nβ·∇L + γ(w − w*) and A the diffusion factor (ξ starts at A, u at √ε·N(0, I)). The thermostat absorbs unknown
/// gradient noise so that the kinetic energy stays at its target.
/// </summary>
public sealed class SgnhtSampler(SamplerSettings settings, double diffusion = 0.01) : IChainSampler
{
    private torch.Tensor? _velocity;
    private torch.Tensor? _thermostat;

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
        double eps = settings.StepSize;
        if (_velocity is null)
        {
            // The first noise draw initialises the velocity, so the state depends only on the seed.
            _velocity = (noise * Math.Sqrt(eps)).DetachFromDisposeScope();
            _thermostat = torch.full([weights.shape[0], 1], diffusion, dtype: weights.dtype).DetachFromDisposeScope();
            return;
        }
        var g = settings.PotentialGradient(weights, lossGradient, center);
        _velocity.sub_(_thermostat! * _velocity).sub_(g * eps).add_(noise, alpha: Math.Sqrt(2 * diffusion * eps));
        weights.add_(_velocity);
        _thermostat!.add_(_velocity.square().mean([1], keepdim: true) - eps);
    }

    /// <inheritdoc />
    public void Reset(long chain)
    {
        if (_velocity is null) return;
        _velocity[chain].zero_();
        _thermostat![chain].fill_(diffusion);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _velocity?.Dispose();
        _thermostat?.Dispose();
    }
}
