namespace DevInterp.Llc;

/// <summary>
/// Settings of an LLC estimate. λ̂ = nβ · (E_chain[L(w_t)] − L(w*)), where the draws w_t come from chains that sample
/// exp(−nβ·L_n(w) − γ/2·‖w − w*‖²) around the checkpoint's weights w*.
/// </summary>
/// <param name="Chains">Independent chains (≥ 2 for R̂).</param>
/// <param name="Draws">Draws kept per chain, after burn-in (the minimum when <paramref name="TargetRelativeError"/> is set).</param>
/// <param name="BurnIn">Steps discarded at the start of each chain.</param>
/// <param name="StepsBetweenDraws">Sampler steps per kept draw (thinning); 1 keeps every step.</param>
/// <param name="StepSize">SGLD step size ε; null to calibrate it (see docs/llc.md, "Calibration").</param>
/// <param name="Localization">γ, the strength of the Gaussian pull back to w*.</param>
/// <param name="NBeta">Inverse temperature nβ; null for the theory's default n/ln n (β* = 1/ln n, n = training-set size).</param>
/// <param name="BatchSize">
/// Minibatch size; ≥ n for full-batch gradients; null (the default) to choose: full batch when a full pass is cheap
/// (n·D ≤ 2²², D = sampled parameters) or costs no more than a minibatch step with control variates, else the batch that
/// costs about 2²², at least 256 (see <see cref="ResolveBatchSize"/>).
/// </param>
/// <param name="Seed">Seed of all randomness (noise and minibatches); equal seeds give bit-identical results.</param>
/// <param name="Sampler">The sampler.</param>
/// <param name="ParameterPattern">
/// Regular expression selecting the parameters to sample by name (the weight-restricted LLC, e.g. <c>^layers\.2\.</c>);
/// null samples all. The others stay at w*.
/// </param>
/// <param name="BoundingBox">Optional half-width of a box around w* that draws are clipped to; null for none.</param>
/// <param name="TargetRelativeError">
/// Keep drawing (in blocks of half <paramref name="Draws"/>) until the Monte Carlo standard error of λ̂ is at most this
/// fraction of λ̂, or <paramref name="MaxDraws"/> is reached; null for exactly <paramref name="Draws"/> draws.
/// </param>
/// <param name="MaxDraws">Upper limit on draws per chain when drawing adaptively.</param>
/// <param name="Integrator">How SGLD discretizes Langevin dynamics; Leimkuhler–Matthews by default (exact for Gaussian targets).</param>
/// <param name="Compat">
/// Whose conventions to follow: <see cref="LlcCompat.None"/>, or <see cref="LlcCompat.Devinterp"/> (set it with
/// <see cref="WithDevinterpConventions"/>, which also sets the sampler, integrator, control variates and draw count the
/// reference library uses).
/// </param>
/// <param name="StepSizeRange">
/// For MALA: each chain's step is drawn every step log-uniformly in [ε/R, ε] with R this ratio (docs/llc.md); 1 for a
/// fixed step.
/// </param>
/// <param name="ControlVariates">
/// With minibatches, subtract the zero-mean control variate (∇L_b(w*) − ∇L_n(w*))·(w − w*) from every draw and drive the chains with the control-variate gradient ∇L_b(w) − ∇L_b(w*) + ∇L_n(w*) (SGLD-CV, Baker
/// et al. 2019): unbiased like ∇L_b(w), but its noise vanishes at w*, so the chains sample the intended posterior
/// instead of one heated by minibatch noise. Costs one more gradient per step; no effect in full-batch mode.
/// </param>
public sealed record LlcOptions(
    int Chains = 8,
    int Draws = 1000,
    int BurnIn = 500,
    int StepsBetweenDraws = 1,
    double? StepSize = null,
    double Localization = 0.1,
    double? NBeta = null,
    int? BatchSize = null,
    long Seed = 0,
    SamplerKind Sampler = SamplerKind.Mala,
    string? ParameterPattern = null,
    double? BoundingBox = null,
    bool ControlVariates = true,
    double? TargetRelativeError = 0.01,
    int MaxDraws = 50_000,
    LangevinIntegrator Integrator = LangevinIntegrator.LeimkuhlerMatthews,
    LlcCompat Compat = LlcCompat.None,
    double StepSizeRange = 1000)
{
    /// <summary>Sampler steps per chain for the minimum number of draws.</summary>
    public long TotalSteps => BurnIn + (long)Draws * StepsBetweenDraws;

    /// <summary>The default inverse temperature for a training set of n samples: n / ln n.</summary>
    public static double DefaultNBeta(long n) => n <= 1 ? 1 : n / Math.Log(n);

    /// <summary>The step-size grid's lower end, as ε·nβ (see <see cref="CalibrationOptions"/>).</summary>
    internal const double GridLow = 1e-4;

    /// <summary>The largest ε·nβ a Metropolis-adjusted calibration tries.</summary>
    internal const double GridHigh = 1e3;

    /// <summary>Multiply-adds per chain and step that the automatic batch size aims for.</summary>
    public const long AutoBatchBudget = 1L << 22;

    /// <summary>
    /// These options with the Python devinterp library's conventions (<see cref="LlcCompat.Devinterp"/>): plain SGLD with
    /// Euler–Maruyama steps, no control variates, exactly <see cref="Draws"/> draws per chain. The step size,
    /// localization, chains, draws and burn-in stay as given (the reference library's users choose them).
    /// </summary>
    public LlcOptions WithDevinterpConventions() => this with
    {
        Compat = LlcCompat.Devinterp,
        Sampler = SamplerKind.Sgld,
        Integrator = LangevinIntegrator.EulerMaruyama,
        ControlVariates = false,
        TargetRelativeError = null,
    };

    /// <summary>
    /// The inverse temperature for n samples and D sampled values: the given one, else n/ln n (the theory's β* = 1/ln n);
    /// with <see cref="LlcCompat.Devinterp"/>, m/ln m for the batch size m (the reference library's
    /// <c>default_nbeta(loader)</c>, which equals n/ln n in full batch).
    /// </summary>
    public double ResolveNBeta(long n, long dimension) =>
        NBeta ?? DefaultNBeta(Compat == LlcCompat.Devinterp ? ResolveBatchSize(n, dimension) : n);

    /// <summary>
    /// The batch size used for n samples and D sampled values: the given one, or automatically the full training set
    /// when n·D ≤ <see cref="AutoBatchBudget"/> (exact gradients are then cheap, and exact gradients sample the intended
    /// posterior without minibatch noise), else m = ⌈budget/D⌉ clamped to [256, n] — unless a full-batch step costs no
    /// more than a minibatch step: with control variates a minibatch step takes two gradients on m samples (at the
    /// chains and at w*), so the full batch wins whenever n ≤ 2m; it also samples better per step (no minibatch noise
    /// left at all), so at equal cost it is the better effective sample.
    /// </summary>
    public long ResolveBatchSize(long n, long dimension)
    {
        if (BatchSize is { } b) return Math.Min(b, n);
        if (Compat == LlcCompat.Devinterp) return n; // the reference's users pass a full-batch loader to match its numbers
        long affordable = AutoBatchBudget / Math.Max(1, dimension);
        long batch = Math.Min(n, Math.Max(256, affordable));
        long gradientsPerStep = ControlVariates ? 2 : 1;
        return gradientsPerStep * batch >= n ? n : batch;
    }

    /// <summary>Checks the settings, naming the first bad one.</summary>
    public void Validate()
    {
        if (Chains < 1) throw new ArgumentException($"chains must be ≥ 1 (got {Chains})");
        if (Draws < 4) throw new ArgumentException($"draws must be ≥ 4 (got {Draws})");
        if (BurnIn < 0) throw new ArgumentException($"burn-in must be ≥ 0 (got {BurnIn})");
        if (StepsBetweenDraws < 1) throw new ArgumentException($"steps between draws must be ≥ 1 (got {StepsBetweenDraws})");
        if (StepSize is { } e && !(e > 0 && double.IsFinite(e))) throw new ArgumentException($"step size must be > 0 (got {e})");
        if (!(Localization >= 0 && double.IsFinite(Localization))) throw new ArgumentException($"localization must be ≥ 0 (got {Localization})");
        if (NBeta is { } nb && !(nb > 0 && double.IsFinite(nb))) throw new ArgumentException($"nbeta must be > 0 (got {nb})");
        if (BatchSize is { } b && b < 1) throw new ArgumentException($"batch size must be ≥ 1 (got {b})");
        if (BoundingBox is { } box && !(box > 0)) throw new ArgumentException($"bounding box must be > 0 (got {box})");
        if (TargetRelativeError is { } t && !(t > 0)) throw new ArgumentException($"target relative error must be > 0 (got {t})");
        if (TargetRelativeError is not null && MaxDraws < Draws) throw new ArgumentException($"max draws ({MaxDraws}) must be ≥ draws ({Draws})");
        if (Compat == LlcCompat.Devinterp && (Sampler != SamplerKind.Sgld || Integrator != LangevinIntegrator.EulerMaruyama || ControlVariates || TargetRelativeError is not null))
            throw new ArgumentException("compat devinterp samples with plain Euler–Maruyama SGLD and a fixed number of draws: use sampler sgld (set the options with WithDevinterpConventions)");
        if (!(StepSizeRange >= 1 && double.IsFinite(StepSizeRange))) throw new ArgumentException($"step size range must be ≥ 1 (got {StepSizeRange})");
    }
}
