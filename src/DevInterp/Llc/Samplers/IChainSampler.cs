using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// One MCMC update of C chains at once, targeting exp(−nβ·L(w) − γ/2·‖w − w*‖²). All tensors are [C, D] except the
/// center w* ([D]) and the per-chain losses ([C]). The sampler owns any per-chain state (momenta, preconditioners).
/// </summary>
public interface IChainSampler : IDisposable
{
    /// <summary>
    /// True for a Metropolis-adjusted sampler: it evaluates the potential at its proposals (<see cref="ChainStep.Evaluate"/>),
    /// accepts or rejects each chain's proposal, leaves <see cref="ChainStep.Loss"/> and <see cref="ChainStep.LossGradient"/>
    /// current at the new weights, and keeps chains inside the bounding box by rejecting proposals outside it.
    /// </summary>
    bool Adjusted { get; }

    /// <summary>
    /// Advances <see cref="ChainStep.Weights"/> in place. Returns, for an adjusted sampler, each chain's acceptance
    /// indicator ([C], float64: 1 accepted, 0 rejected, NaN for a step that does not count towards the acceptance rate;
    /// owned by the caller's dispose scope); null otherwise.
    /// </summary>
    torch.Tensor? Step(ChainStep step);

    /// <summary>Resets chain <paramref name="chain"/>'s state (after it diverged and was put back at w*).</summary>
    void Reset(long chain);

    /// <summary>
    /// The factor by which a step of size <paramref name="stepSize"/> shrinks a displacement from w* along a direction
    /// only the localization <paramref name="localization"/> holds (the slowest direction: the loss can only add
    /// curvature). A Langevin step's drift gives 1 − εγ/2.
    /// </summary>
    double Contraction(double stepSize, double localization) => 1 - stepSize * localization / 2;

    /// <summary>The largest step size worth taking at <paramref name="localization"/>; unbounded unless the sampler says otherwise.</summary>
    double MaxUsefulStepSize(double localization) => double.PositiveInfinity;
}

/// <summary>
/// The loss, on the current step's data, of C chains at <paramref name="weights"/> ([C, D]): returns [C] (float64)
/// and overwrites <paramref name="lossGradient"/> ([C, D]) with its gradient.
/// </summary>
public delegate torch.Tensor ChainEvaluator(torch.Tensor weights, torch.Tensor lossGradient);

/// <summary>What a sampler sees of one step. The estimator keeps one instance and updates it every step.</summary>
public sealed class ChainStep
{
    /// <summary>The chains' weights [C, D], advanced in place.</summary>
    public required torch.Tensor Weights { get; init; }

    /// <summary>∇L at <see cref="Weights"/> on this step's data ([C, D]); an adjusted sampler updates it with the weights.</summary>
    public required torch.Tensor LossGradient { get; init; }

    /// <summary>w* ([D]).</summary>
    public required torch.Tensor Center { get; init; }

    /// <summary>A standard normal draw [C, D] for this step.</summary>
    public required torch.Tensor Noise { get; init; }

    /// <summary>
    /// L at <see cref="Weights"/> on this step's data ([C], float64); set by the estimator for adjusted samplers, which
    /// update it with the weights. Null for unadjusted samplers.
    /// </summary>
    public torch.Tensor? Loss { get; set; }

    /// <summary>Evaluates L and ∇L on this step's data at other weights (a proposal); null for unadjusted samplers.</summary>
    public ChainEvaluator? Evaluate { get; set; }

    /// <summary>Source of the uniform draws of a Metropolis test.</summary>
    public torch.Generator? Random { get; init; }

    /// <summary>Lower corner of the bounding box ([D]), or null for none.</summary>
    public torch.Tensor? Lower { get; init; }

    /// <summary>Upper corner of the bounding box ([D]), or null for none.</summary>
    public torch.Tensor? Upper { get; init; }
}

/// <summary>The constants every sampler uses.</summary>
/// <param name="StepSize">ε (for a Metropolis-adjusted sampler with a step-size range, the largest step).</param>
/// <param name="NBeta">nβ.</param>
/// <param name="Localization">γ.</param>
/// <param name="StepSizeRange">
/// Ratio R ≥ 1 of the largest to the smallest step of a Metropolis-adjusted sampler: every step, each chain takes the
/// full step ε with probability ½, else one drawn log-uniformly in [ε/R, ε] (1: always ε).
/// </param>
public sealed record SamplerSettings(double StepSize, double NBeta, double Localization, double StepSizeRange = 1)
{
    /// <summary>The drift nβ·∇L + γ(w − w*) (the gradient of the potential U).</summary>
    public torch.Tensor PotentialGradient(torch.Tensor weights, torch.Tensor lossGradient, torch.Tensor center) =>
        Localization == 0
            ? lossGradient * NBeta
            : lossGradient * NBeta + (weights - center) * Localization;
}
