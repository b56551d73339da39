using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// Preconditioned Crank–Nicolson Langevin (pCNL; Cotter, Roberts, Stuart &amp; White 2013, "MCMC methods for functions"),
/// per chain: a Metropolis-adjusted Langevin sampler whose proposal integrates the localization term γ/2·‖w − w*‖²
/// with a Crank–Nicolson step, so the proposal is reversible with respect to the Gaussian N(w*, I/γ) by itself and the
/// Metropolis test sees only the data term Φ = nβ·L. The chains sample exp(−nβ·L − γ/2·‖w − w*‖²) exactly, as MALA's do.
/// </summary>
/// <remarks>
/// <para>
/// Why: in a network of D parameters most directions are flat in the loss and held only by the localization. MALA's
/// acceptance in D such directions falls unless ε·γ shrinks like D^(−1/3) (Roberts &amp; Rosenthal 1998), so its chains
/// need ~D^(1/3) steps to cross the localized posterior even where the loss plays no part (about 25 steps for the
/// grokking demo's 9,885 parameters, and an autocorrelation time of ~100 steps in λ̂'s draws). pCNL accepts every move
/// along directions the loss does not see, at any step, so its step is limited only by the directions the loss bends.
/// </para>
/// <para>
/// With u = w − w*, g = nβ·∇L(w), δ = ε·γ/2 (so that for small ε the proposal is MALA's), a = (2 − δ)/(2 + δ),
/// the proposal is u' = a·u − (1 − a)/γ·g + √((1 − a²)/γ)·ξ, and
/// log α = Φ(u) − Φ(u') + (2 + δ)/4·(⟨u' − a·u, g⟩ − ⟨u − a·u', g'⟩) − δ/(4γ)·(‖g'‖² − ‖g‖²):
/// the Gaussian terms of the target and of the two proposal densities cancel exactly (a² + (1 − a²) = 1), which is why
/// no squared norm of size D is ever subtracted. A step-size range draws each chain's ε as <see cref="MalaSampler"/>
/// does. Needs γ &gt; 0 (the estimator uses MALA when γ = 0).
/// </para>
/// </remarks>
public sealed class PcnLangevinSampler : IChainSampler
{
    private readonly SamplerSettings _settings;
    private readonly Scalar _nBeta;
    private readonly Scalar _stepSize;
    private readonly Scalar _logRange;
    private torch.Tensor? _proposal;
    private torch.Tensor? _proposalGradient;

    /// <summary>Creates the sampler; γ must be positive.</summary>
    public PcnLangevinSampler(SamplerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!(settings.Localization > 0))
            throw new ArgumentException($"pCNL needs a positive localization γ (got {settings.Localization}): its proposal is reversible with respect to N(w*, I/γ)");
        _settings = settings;
        _nBeta = settings.NBeta.ToScalar();
        _stepSize = settings.StepSize.ToScalar();
        _logRange = Math.Log(Math.Max(1, settings.StepSizeRange)).ToScalar();
    }

    /// <inheritdoc />
    public bool Adjusted => true;

    /// <inheritdoc />
    public torch.Tensor? Step(ChainStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var evaluate = step.Evaluate ?? throw new InvalidOperationException("pCNL evaluates the potential at its proposals: the step has no evaluator");
        var loss = step.Loss ?? throw new InvalidOperationException("pCNL needs the loss at the current weights");
        using var scope = torch.NewDisposeScope();
        var weights = step.Weights;
        var gradient = step.LossGradient;
        var center = step.Center;
        long chains = weights.shape[0];
        _proposal ??= torch.empty_like(weights).DetachFromDisposeScope();
        _proposalGradient ??= torch.empty_like(weights).DetachFromDisposeScope();
        double gamma = _settings.Localization;

        // Each chain's δ = ε_c·γ/2 as a [C] float64 column (ε_c = ε, or drawn from the step-size range as MALA does).
        torch.Tensor? full = null;
        torch.Tensor delta;
        if (_settings.StepSizeRange > 1)
        {
            full = torch.rand([chains], dtype: torch.ScalarType.Float64, generator: step.Random).lt(Potentials.Scalars.Half);
            var scale = torch.rand([chains], dtype: torch.ScalarType.Float64, generator: step.Random).mul_(_logRange).neg_().exp_();
            delta = scale.masked_fill_(full, Potentials.Scalars.One).mul_(_stepSize).mul_(gamma / 2);
        }
        else
        {
            delta = torch.full([chains], _settings.StepSize * gamma / 2, dtype: torch.ScalarType.Float64);
        }
        var twoPlus = delta.add(2.0);
        var a = delta.neg().add_(2.0).div_(twoPlus);                  // (2 − δ)/(2 + δ)
        var pull = a.neg().add_(1.0).div_(gamma);                     // (1 − a)/γ, the gradient's coefficient
        var spread = a.mul(a).neg_().add_(1.0).div_(gamma).sqrt_();   // √((1 − a²)/γ), the noise's
        var column = (torch.Tensor t) => t.to_type(weights.dtype).unsqueeze(1);

        var u = weights.sub(center);
        var g = gradient.mul(_nBeta);
        // w' = w* + a·u − (1 − a)/γ·g + √((1 − a²)/γ)·ξ
        _proposal.copy_(u).mul_(column(a)).addcmul_(g, column(pull), value: -1).addcmul_(step.Noise, column(spread), value: 1).add_(center);
        var proposedLoss = evaluate(_proposal, _proposalGradient);
        var uProposed = _proposal.sub(center);
        var gProposed = _proposalGradient.mul(_nBeta);

        var columnA = column(a);
        var forward = uProposed.sub(u.mul(columnA)).mul_(g).sum([1], type: torch.ScalarType.Float64);           // ⟨u' − a·u, g⟩
        var backward = u.sub(uProposed.mul(columnA)).mul_(gProposed).sum([1], type: torch.ScalarType.Float64);  // ⟨u − a·u', g'⟩
        var norms = gProposed.mul(gProposed).sum([1], type: torch.ScalarType.Float64)
            .sub_(g.mul(g).sum([1], type: torch.ScalarType.Float64));
        var logRatio = loss.sub(proposedLoss).mul_(_nBeta)
            .add_(forward.sub_(backward).mul_(twoPlus).div_(4.0))
            .sub_(norms.mul_(delta).div_(4 * gamma));
        var uniform = torch.rand([chains], dtype: torch.ScalarType.Float64, generator: step.Random);
        var accept = uniform.log_().lt(logRatio); // NaN ratios compare false: rejected
        if (step.Lower is not null && step.Upper is not null)
            accept.logical_and_(_proposal.ge(step.Lower).logical_and_(_proposal.le(step.Upper)).all(1));

        var rows = accept.unsqueeze(1);
        weights.copy_(torch.where(rows, _proposal, weights));
        gradient.copy_(torch.where(rows, _proposalGradient, gradient));
        loss.copy_(torch.where(accept, proposedLoss, loss));
        var outcome = accept.to_type(torch.ScalarType.Float64);
        // Only the full steps' outcomes count towards the acceptance rate (NaN for the smaller ones), as for MALA.
        if (full is not null) outcome.masked_fill_(full.logical_not(), double.NaN);
        return outcome.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Reset(long chain) { }

    /// <inheritdoc />
    public void Dispose()
    {
        _proposal?.Dispose();
        _proposalGradient?.Dispose();
        _nBeta.Dispose();
        _stepSize.Dispose();
        _logRange.Dispose();
    }
}
