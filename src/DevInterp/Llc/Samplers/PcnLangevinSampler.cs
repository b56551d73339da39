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
    }

    /// <inheritdoc />
    public bool Adjusted => true;

    /// <summary>Float32 chains take <see cref="PcnLangevinKernel"/>'s passes where the machine allows; false (tests): torch operations.</summary>
    internal bool UseKernel { get; set; } = true;

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
        int chains = (int)weights.shape[0];
        _proposal ??= torch.empty_like(weights).DetachFromDisposeScope();
        _proposalGradient ??= torch.empty_like(weights).DetachFromDisposeScope();
        double gamma = _settings.Localization;

        // Each chain's δ = ε_c·γ/2 (ε_c = ε, or drawn from the step-size range as MALA does), and the proposal's
        // coefficients a = (2 − δ)/(2 + δ), (1 − a)/γ for the gradient and √((1 − a²)/γ) for the noise.
        var delta = new double[chains];
        bool[]? full = null;
        if (_settings.StepSizeRange > 1)
        {
            var isFull = Read(torch.rand([chains], dtype: torch.ScalarType.Float64, generator: step.Random));
            var u = Read(torch.rand([chains], dtype: torch.ScalarType.Float64, generator: step.Random));
            double logRange = Math.Log(_settings.StepSizeRange);
            full = new bool[chains];
            for (int c = 0; c < chains; c++)
            {
                full[c] = isFull[c] < 0.5;
                delta[c] = _settings.StepSize * (full[c] ? 1.0 : Math.Exp(-u[c] * logRange)) * gamma / 2;
            }
        }
        else
        {
            Array.Fill(delta, _settings.StepSize * gamma / 2);
        }
        var a = delta.Select(d => (2 - d) / (2 + d)).ToArray();
        var pull = a.Select(x => (1 - x) / gamma).ToArray();
        var spread = a.Select(x => Math.Sqrt((1 - x * x) / gamma)).ToArray();

        var sums = new double[4 * chains]; // per chain ⟨u' − a·u, g⟩, ⟨u − a·u', g'⟩, ‖g'‖², ‖g‖²
        double[] proposedLoss;
        bool kernel = UseKernel && MalaKernel.Supports(weights) && MalaKernel.Supports(gradient) && MalaKernel.Supports(step.Noise)
            && loss.dtype == torch.ScalarType.Float64;
        if (kernel)
        {
            PcnLangevinKernel.Propose(weights, gradient, center, step.Noise, _proposal, a, pull, spread, (float)_settings.NBeta);
            proposedLoss = Read(evaluate(_proposal, _proposalGradient));
            PcnLangevinKernel.Sums(weights, gradient, _proposal, _proposalGradient, center, a, (float)_settings.NBeta, sums);
        }
        else
        {
            var column = (double[] v) => torch.tensor(v, dtype: torch.ScalarType.Float64).to_type(weights.dtype).unsqueeze(1);
            var columnA = column(a);
            var u = weights.sub(center);
            var g = gradient.mul(_nBeta);
            _proposal.copy_(u).mul_(columnA).addcmul_(g, column(pull), value: -1).addcmul_(step.Noise, column(spread), value: 1).add_(center);
            proposedLoss = Read(evaluate(_proposal, _proposalGradient));
            var uProposed = _proposal.sub(center);
            var gProposed = _proposalGradient.mul(_nBeta);
            var parts = torch.stack([
                uProposed.sub(u.mul(columnA)).mul_(g).sum([1], type: torch.ScalarType.Float64),
                u.sub(uProposed.mul(columnA)).mul_(gProposed).sum([1], type: torch.ScalarType.Float64),
                gProposed.mul(gProposed).sum([1], type: torch.ScalarType.Float64),
                g.mul(g).sum([1], type: torch.ScalarType.Float64)], 1);
            sums = Read(parts);
        }
        var uniform = Read(torch.rand([chains], dtype: torch.ScalarType.Float64, generator: step.Random));
        var inBox = step.Lower is not null && step.Upper is not null
            ? Read(_proposal.ge(step.Lower).logical_and_(_proposal.le(step.Upper)).all(1).to_type(torch.ScalarType.Float64))
            : null;
        var current = Read(loss);
        var accept = new bool[chains];
        var outcome = new double[chains];
        for (int c = 0; c < chains; c++)
        {
            // log α = Φ(u) − Φ(u') + (2 + δ)/4·(⟨u' − a·u, g⟩ − ⟨u − a·u', g'⟩) − δ/(4γ)·(‖g'‖² − ‖g‖²)
            double logRatio = _settings.NBeta * (current[c] - proposedLoss[c])
                + (2 + delta[c]) / 4 * (sums[4 * c] - sums[4 * c + 1])
                - delta[c] / (4 * gamma) * (sums[4 * c + 2] - sums[4 * c + 3]);
            accept[c] = Math.Log(uniform[c]) < logRatio && (inBox is null || inBox[c] == 1); // NaN ratios compare false: rejected
            if (accept[c]) current[c] = proposedLoss[c];
            // Only the full steps' outcomes count towards the acceptance rate (NaN for the smaller ones), as for MALA.
            outcome[c] = full is not null && !full[c] ? double.NaN : accept[c] ? 1 : 0;
        }
        if (kernel)
        {
            MalaKernel.CopyAccepted(_proposal, weights, accept);
            MalaKernel.CopyAccepted(_proposalGradient, gradient, accept);
        }
        else
        {
            var rows = torch.tensor(accept).unsqueeze(1);
            weights.copy_(torch.where(rows, _proposal, weights));
            gradient.copy_(torch.where(rows, _proposalGradient, gradient));
        }
        loss.copy_(torch.tensor(current, dtype: torch.ScalarType.Float64));
        return torch.tensor(outcome, dtype: torch.ScalarType.Float64).MoveToOuterDisposeScope();
    }

    private static double[] Read(torch.Tensor t) => MalaSampler.Read(t);

    /// <inheritdoc />
    public void Reset(long chain) { }

    /// <inheritdoc />
    /// <remarks>Crank–Nicolson: a = (2 − δ)/(2 + δ) with δ = εγ/2 (0 at δ = 2).</remarks>
    public double Contraction(double stepSize, double localization)
    {
        double delta = stepSize * localization / 2;
        return (2 - delta) / (2 + delta);
    }

    /// <inheritdoc />
    /// <remarks>δ = εγ/2 = 2: the directions the loss does not see are then drawn afresh from N(w*, I/γ) every step.</remarks>
    public double MaxUsefulStepSize(double localization) => localization > 0 ? 4 / localization : double.PositiveInfinity;

    /// <inheritdoc />
    public void Dispose()
    {
        _proposal?.Dispose();
        _proposalGradient?.Dispose();
        _nBeta.Dispose();
    }
}
