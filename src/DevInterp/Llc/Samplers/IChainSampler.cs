using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// One SGMCMC update of C chains at once, targeting exp(−nβ·L(w) − γ/2·‖w − w*‖²). All tensors are [C, D] except the
/// center w* ([D]). The sampler owns any per-chain state (momenta, preconditioners).
/// </summary>
public interface IChainSampler : IDisposable
{
    /// <summary>Advances <paramref name="weights"/> in place given the loss gradient and a standard normal draw.</summary>
    void Step(torch.Tensor weights, torch.Tensor lossGradient, torch.Tensor center, torch.Tensor noise);

    /// <summary>Resets chain <paramref name="chain"/>'s state (after it diverged and was put back at w*).</summary>
    void Reset(long chain);
}

/// <summary>The constants every sampler uses.</summary>
/// <param name="StepSize">ε.</param>
/// <param name="NBeta">nβ.</param>
/// <param name="Localization">γ.</param>
public sealed record SamplerSettings(double StepSize, double NBeta, double Localization)
{
    /// <summary>The drift nβ·∇L + γ(w − w*) (the gradient of the potential U).</summary>
    public torch.Tensor PotentialGradient(torch.Tensor weights, torch.Tensor lossGradient, torch.Tensor center) =>
        Localization == 0
            ? lossGradient * NBeta
            : lossGradient * NBeta + (weights - center) * Localization;
}
