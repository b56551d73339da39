using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// The Metropolis-adjusted Langevin algorithm (MALA; Roberts &amp; Tweedie 1996), per chain: the Langevin proposal
/// w' = w − ε/2·g(w) + √ε·ξ with g = nβ·∇L + γ(w − w*), accepted with probability min(1, α),
/// log α = U(w) − U(w') + log q(w | w') − log q(w' | w), U = nβ·L + γ/2·‖w − w*‖². The chains then sample
/// exp(−U) exactly at any ε: the step size changes how fast they mix, not what they converge to.
/// </summary>
/// <remarks>
/// With d = w' − w, the proposal densities' ratio is written as d·(g + g')/2 − ε/8·(‖g'‖² − ‖g‖²), which avoids
/// subtracting two squared norms of size D; reductions run in float64. A proposal whose loss or gradient is not finite
/// has a NaN ratio and is rejected, so a chain cannot diverge; a proposal outside the bounding box is rejected too (the
/// chains then sample the posterior restricted to the box). On minibatches the estimator evaluates L as the
/// control-variate loss of the step's batch (docs/llc.md): the test is then exact for that batch's potential, not for
/// the full-data one.
/// </remarks>
public sealed class MalaSampler : IChainSampler
{
    private readonly SamplerSettings _settings;
    private readonly Scalar _nBeta;
    private readonly Scalar _gamma;
    private readonly Scalar _minusHalfStep; // −ε/2
    private readonly Scalar _sqrtStep;      // √ε
    private readonly Scalar _eighthStep;    // ε/8
    private readonly Scalar _halfGamma;     // γ/2
    private readonly Scalar _minusTwo;
    private readonly Scalar _stepSize;      // ε
    private readonly Scalar _logRange;      // ln R
    private torch.Tensor? _proposal;
    private torch.Tensor? _proposalGradient;

    /// <summary>Creates the sampler.</summary>
    public MalaSampler(SamplerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _nBeta = settings.NBeta.ToScalar();
        _gamma = settings.Localization.ToScalar();
        _minusHalfStep = (-settings.StepSize / 2).ToScalar();
        _sqrtStep = Math.Sqrt(settings.StepSize).ToScalar();
        _eighthStep = (settings.StepSize / 8).ToScalar();
        _halfGamma = (settings.Localization / 2).ToScalar();
        _minusTwo = (-2.0).ToScalar();
        _stepSize = settings.StepSize.ToScalar();
        _logRange = Math.Log(Math.Max(1, settings.StepSizeRange)).ToScalar();
    }

    /// <inheritdoc />
    public bool Adjusted => true;

    /// <summary>Float32 chains take <see cref="MalaKernel"/>'s passes where the machine allows; false (tests): torch operations.</summary>
    internal bool UseKernel { get; set; } = true;

    /// <inheritdoc />
    public torch.Tensor? Step(ChainStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var evaluate = step.Evaluate ?? throw new InvalidOperationException("MALA evaluates the potential at its proposals: the step has no evaluator");
        var loss = step.Loss ?? throw new InvalidOperationException("MALA needs the loss at the current weights");
        using var scope = torch.NewDisposeScope();
        var weights = step.Weights;
        var gradient = step.LossGradient;
        var center = step.Center;
        _proposal ??= torch.empty_like(weights).DetachFromDisposeScope();
        _proposalGradient ??= torch.empty_like(weights).DetachFromDisposeScope();
        if (UseKernel && MalaKernel.Supports(weights) && MalaKernel.Supports(gradient) && loss.dtype == torch.ScalarType.Float64 && loss.is_contiguous())
            return FusedStep(step, evaluate, loss).MoveToOuterDisposeScope();

        var drift = Drift(weights, gradient, center);
        // With a step-size range R, each chain takes the full step ε with probability ½ and otherwise a step drawn
        // log-uniformly in [ε/R, ε] ([C, 1]), independently of the state: every step is a MALA step of its own size, and
        // each leaves the posterior invariant. The small steps let chains enter and leave stiff regions whose curvature
        // the full step overshoots (the arms of a normal crossing, unbalanced layers of a deep linear network); the full
        // ones cross flat regions, and their acceptance is what the calibration tunes.
        torch.Tensor? steps = null, full = null;
        if (_settings.StepSizeRange > 1)
        {
            long chains = weights.shape[0];
            full = torch.rand([chains, 1], dtype: weights.dtype, generator: step.Random).lt(Potentials.Scalars.Half);
            var scale = torch.rand([chains, 1], dtype: weights.dtype, generator: step.Random).mul_(_logRange).neg_().exp_();
            steps = scale.masked_fill_(full, Potentials.Scalars.One).mul_(_stepSize);
            _proposal.copy_(weights).addcmul_(drift, steps, value: -0.5).addcmul_(step.Noise, steps.sqrt(), value: 1);
        }
        else
        {
            _proposal.copy_(weights).add_(drift, alpha: _minusHalfStep).add_(step.Noise, alpha: _sqrtStep);
        }
        var proposedLoss = evaluate(_proposal, _proposalGradient);
        var proposedDrift = Drift(_proposal, _proposalGradient, center);

        var move = _proposal.sub(weights);
        var energy = proposedLoss.sub(loss).mul_(_nBeta);
        if (_settings.Localization != 0)
        {
            // γ/2·(‖w' − w*‖² − ‖w − w*‖²) = γ/2·d·(w' + w − 2w*)
            var through = _proposal.add(weights, Potentials.Scalars.One).add_(center, alpha: _minusTwo);
            energy.add_(move.mul(through).sum([1], type: torch.ScalarType.Float64), alpha: _halfGamma);
        }
        var cross = move.mul_(drift.add(proposedDrift, Potentials.Scalars.One)).sum([1], type: torch.ScalarType.Float64).mul_(Potentials.Scalars.Half);
        var norms = proposedDrift.mul(proposedDrift).sum([1], type: torch.ScalarType.Float64)
            .sub_(drift.mul(drift).sum([1], type: torch.ScalarType.Float64));
        if (steps is null) norms.mul_(_eighthStep);
        else norms.mul_(steps.squeeze(1).to_type(torch.ScalarType.Float64)).mul_(Potentials.Scalars.Eighth);
        var logRatio = cross.sub_(energy).sub_(norms);
        var uniform = torch.rand([weights.shape[0]], dtype: torch.ScalarType.Float64, generator: step.Random);
        var accept = uniform.log_().lt(logRatio); // NaN ratios compare false: rejected
        if (step.Lower is not null && step.Upper is not null)
            accept.logical_and_(_proposal.ge(step.Lower).logical_and_(_proposal.le(step.Upper)).all(1));

        var rows = accept.unsqueeze(1);
        weights.copy_(torch.where(rows, _proposal, weights));
        gradient.copy_(torch.where(rows, _proposalGradient, gradient));
        loss.copy_(torch.where(accept, proposedLoss, loss));
        var outcome = accept.to_type(torch.ScalarType.Float64);
        // Only the full steps' outcomes count towards the acceptance rate (NaN for the smaller ones).
        if (full is not null) outcome.masked_fill_(full.squeeze(1).logical_not(), double.NaN);
        return outcome.MoveToOuterDisposeScope();
    }

    // The same step with the element-wise work in MalaKernel's two passes and the per-chain arithmetic in float64 on
    // the CPU; the random draws are the same, in the same order.
    private unsafe torch.Tensor FusedStep(ChainStep step, ChainEvaluator evaluate, torch.Tensor loss)
    {
        var weights = step.Weights;
        int chains = (int)weights.shape[0];
        var steps = new double[chains];
        bool[]? full = null;
        if (_settings.StepSizeRange > 1)
        {
            var isFull = Read(torch.rand([chains, 1], dtype: weights.dtype, generator: step.Random));
            var u = Read(torch.rand([chains, 1], dtype: weights.dtype, generator: step.Random));
            double logRange = Math.Log(Math.Max(1, _settings.StepSizeRange));
            full = new bool[chains];
            for (int c = 0; c < chains; c++)
            {
                full[c] = isFull[c] < 0.5;
                steps[c] = _settings.StepSize * (full[c] ? 1.0 : Math.Exp(-u[c] * logRange));
            }
        }
        else
        {
            Array.Fill(steps, _settings.StepSize);
        }
        var constants = new MalaKernel.Constants((float)_settings.NBeta, (float)_settings.Localization);
        MalaKernel.Propose(weights, step.LossGradient, step.Center, step.Noise, _proposal!, steps, constants);
        var proposedLoss = Read(evaluate(_proposal!, _proposalGradient!));
        var sums = new double[4 * chains];
        MalaKernel.Sums(weights, step.LossGradient, _proposal!, _proposalGradient!, step.Center, constants, sums);
        var uniform = Read(torch.rand([chains], dtype: torch.ScalarType.Float64, generator: step.Random));
        var inBox = step.Lower is not null && step.Upper is not null
            ? Read(_proposal!.ge(step.Lower).logical_and_(_proposal!.le(step.Upper)).all(1).to_type(torch.ScalarType.Float64))
            : null;
        double* current = (double*)Numerics.TensorMemory.Address(loss, torch.ScalarType.Float64);
        var accept = new bool[chains];
        var outcome = new double[chains];
        for (int c = 0; c < chains; c++)
        {
            // log α = d·(g + g')/2 − nβ(L' − L) − γ/2·d·(w' + w − 2w*) − s/8·(‖g'‖² − ‖g‖²)
            double energy = _settings.NBeta * (proposedLoss[c] - current[c]);
            if (_settings.Localization != 0) energy += _settings.Localization / 2 * sums[4 * c];
            double logRatio = sums[4 * c + 1] / 2 - energy - steps[c] / 8 * (sums[4 * c + 2] - sums[4 * c + 3]);
            accept[c] = Math.Log(uniform[c]) < logRatio && (inBox is null || inBox[c] == 1); // NaN ratios compare false: rejected
            if (accept[c]) current[c] = proposedLoss[c];
            // Only the full steps' outcomes count towards the acceptance rate (NaN for the smaller ones).
            outcome[c] = full is not null && !full[c] ? double.NaN : accept[c] ? 1 : 0;
        }
        MalaKernel.CopyAccepted(_proposal!, weights, accept);
        MalaKernel.CopyAccepted(_proposalGradient!, step.LossGradient, accept);
        return torch.tensor(outcome, dtype: torch.ScalarType.Float64);
    }

    // A small tensor's values as float64 (also pCNL's per-chain scalars).
    internal static double[] Read(torch.Tensor t)
    {
        using var values = t.to_type(torch.ScalarType.Float64).contiguous();
        return values.data<double>().ToArray();
    }

    // g = nβ·∇L + γ(w − w*)
    private torch.Tensor Drift(torch.Tensor weights, torch.Tensor lossGradient, torch.Tensor center)
    {
        var g = lossGradient.mul(_nBeta);
        if (_settings.Localization != 0) g.add_(weights.sub(center).mul_(_gamma), Potentials.Scalars.One);
        return g;
    }

    /// <inheritdoc />
    public void Reset(long chain) { }

    /// <inheritdoc />
    public void Dispose()
    {
        _proposal?.Dispose();
        _proposalGradient?.Dispose();
        _nBeta.Dispose();
        _gamma.Dispose();
        _minusHalfStep.Dispose();
        _sqrtStep.Dispose();
        _eighthStep.Dispose();
        _halfGamma.Dispose();
        _minusTwo.Dispose();
        _stepSize.Dispose();
        _logRange.Dispose();
    }
}
