using DevInterp.Llc;

namespace DevInterp.Analysis;

/// <summary>LLC settings of an analysis (the <c>llc</c> object of analysis.json); see docs/llc.md for each.</summary>
/// <param name="Enabled">Estimate the LLC per checkpoint.</param>
/// <param name="Chains">Chains.</param>
/// <param name="Draws">
/// Minimum draws per chain; null: chosen for the run from its probe checkpoints (<see cref="RunSettingSearch"/>), or
/// <see cref="DefaultDraws"/> where there is no run.
/// </param>
/// <param name="BurnIn">Burn-in steps; null: chosen for the run like <paramref name="Draws"/>, or <see cref="DefaultBurnIn"/>.</param>
/// <param name="StepsBetweenDraws">Thinning.</param>
/// <param name="StepSize">
/// ε; null: chosen once for the whole run with γ from a few probe checkpoints (docs/llc.md, "One setting for a run"),
/// or, with <paramref name="CalibrateAt"/>, by the step-size sweep on that checkpoint.
/// </param>
/// <param name="CalibrateAt">Step of the one checkpoint to calibrate ε on by the sweep (the older rule); null for the run-level setting.</param>
/// <param name="Localization">γ; null: chosen with ε for the run (the weakest that keeps every probe's chains local and stationary), or <see cref="DefaultLocalization"/> where there is no run.</param>
/// <param name="NBeta">nβ; null for n / ln n.</param>
/// <param name="BatchSize">Minibatch size; null for automatic.</param>
/// <param name="Seed">Seed of all sampling randomness.</param>
/// <param name="Sampler">pcnl (the default for a run: MALA with the localization integrated by Crank–Nicolson, MALA itself at γ = 0), mala, sgld, rmsprop_sgld or sgnht.</param>
/// <param name="Integrator">leimkuhler_matthews or euler_maruyama.</param>
/// <param name="ControlVariates">Control variates with minibatches.</param>
/// <param name="TargetRelativeError">
/// Draw until the Monte Carlo error of λ̂ is at most this fraction of λ̂ (at most <paramref name="MaxDraws"/>); null or 0:
/// exactly <paramref name="Draws"/> (the same meaning as <c>--target-rel-error 0</c>).
/// </param>
/// <param name="MaxDraws">Adaptive length limit.</param>
/// <param name="ParameterPattern">Regex of the sampled parameters (weight-restricted LLC); null for all.</param>
/// <param name="Traces">Store every draw's losses (the llc_traces table).</param>
/// <param name="Compat">
/// null (or none) for DevInterp's conventions; <c>devinterp</c> for the Python devinterp library's SGLD
/// (<see cref="LlcCompat.Devinterp"/>; the sampler, integrator, control variates and adaptive length are then set by it).
/// </param>
/// <param name="MaxMinutes">
/// Time the LLC pass over a run may take when the draws are chosen for the run (<paramref name="Draws"/> null): the
/// run-level setting caps the draws per checkpoint so the pass fits, at the sampling rate measured on the probes, but
/// never below <see cref="RunSettingOptions.MinDraws"/> draws (then the pass takes longer and says so).
/// </param>
public sealed partial record LlcSettings(
    bool Enabled = true,
    int Chains = 4,
    int? Draws = null,
    int? BurnIn = null,
    int StepsBetweenDraws = 1,
    double? StepSize = null,
    long? CalibrateAt = null,
    double? Localization = null,
    double? NBeta = null,
    int? BatchSize = null,
    long Seed = 0,
    string Sampler = "pcnl",
    string Integrator = "leimkuhler_matthews",
    bool ControlVariates = true,
    double? TargetRelativeError = 0.03,
    int MaxDraws = 3000,
    string? ParameterPattern = null,
    bool Traces = true,
    string? Compat = null,
    double MaxMinutes = 2.5)
{
    /// <summary>Draws per chain when neither the settings nor a run-level setting give them.</summary>
    public const int DefaultDraws = 1000;

    /// <summary>Burn-in when neither the settings nor a run-level setting give it.</summary>
    public const int DefaultBurnIn = 500;

    /// <summary>γ when neither the settings nor a run-level setting give it (a single checkpoint near a minimum).</summary>
    public const double DefaultLocalization = 0.1;

    /// <summary>
    /// The estimator options these settings describe, with the given or chosen step size (and, from a run-level
    /// setting, γ, draws and burn-in where the settings leave them null).
    /// </summary>
    public LlcOptions ToOptions(double? stepSize = null, double? localization = null, int? draws = null, int? burnIn = null, int? maxDraws = null)
    {
        int d = Draws ?? draws ?? DefaultDraws;
        int cap = maxDraws is { } m ? Math.Min(m, MaxDraws) : MaxDraws;
        var options = new LlcOptions(
            Chains, d, BurnIn ?? burnIn ?? DefaultBurnIn, StepsBetweenDraws, stepSize ?? StepSize, Localization ?? localization ?? DefaultLocalization,
            NBeta, BatchSize, Seed, ParseSampler(Sampler), ParameterPattern, null, ControlVariates,
            TargetRelativeError == 0 ? null : TargetRelativeError, Math.Max(cap, d), ParseIntegrator(Integrator));
        return ParseCompat(Compat) == LlcCompat.Devinterp ? options.WithDevinterpConventions() : options;
    }

    /// <summary>Parses a compat name (none or null, devinterp).</summary>
    public static LlcCompat ParseCompat(string? name) => name?.ToLowerInvariant() switch
    {
        null or "none" => LlcCompat.None,
        "devinterp" => LlcCompat.Devinterp,
        _ => throw new ArgumentException($"llc.compat '{name}' is not one of none, devinterp"),
    };

    /// <summary>Parses a sampler name (pcnl, mala, sgld, rmsprop_sgld, sgnht).</summary>
    public static SamplerKind ParseSampler(string name) => name.Replace("-", "_").ToLowerInvariant() switch
    {
        "mala" => SamplerKind.Mala,
        "sgld" => SamplerKind.Sgld,
        "rmsprop_sgld" or "psgld" => SamplerKind.RmspropSgld,
        "sgnht" => SamplerKind.Sgnht,
        "pcnl" => SamplerKind.Pcnl,
        _ => throw new ArgumentException($"llc.sampler '{name}' is not one of pcnl, mala, sgld, rmsprop_sgld, sgnht"),
    };

    /// <summary>Parses an integrator name (leimkuhler_matthews, euler_maruyama).</summary>
    public static LangevinIntegrator ParseIntegrator(string name) => name.Replace("-", "_").ToLowerInvariant() switch
    {
        "leimkuhler_matthews" or "lm" => LangevinIntegrator.LeimkuhlerMatthews,
        "euler_maruyama" or "euler" => LangevinIntegrator.EulerMaruyama,
        _ => throw new ArgumentException($"llc.integrator '{name}' is not one of leimkuhler_matthews, euler_maruyama"),
    };
}

/// <summary>Representation-similarity settings (the <c>similarity</c> object of analysis.json).</summary>
/// <param name="Enabled">Compute step × step similarity per layer.</param>
/// <param name="Layers">Comma-separated glob patterns over module names; null for the model's default layers.</param>
/// <param name="Measures">Measure names (linear_cka, debiased_cka, rbf_cka, cca, svcca, pwcca, procrustes, rsa).</param>
/// <param name="ProbeCount">Probe batch size (rows drawn from the task's training inputs, or from the probe file).</param>
/// <param name="ProbeSeed">Seed of the probe draw.</param>
/// <param name="ProbeFile">A file holding the probe inputs instead (any data format of the file task), or null.</param>
/// <param name="ProbeTensor">Array or column name(s), comma-separated, inside <paramref name="ProbeFile"/>, or null for the default.</param>
/// <param name="Probe">
/// Where the probe comes from when there is no <paramref name="ProbeFile"/>: null or <c>train</c> (<paramref name="ProbeCount"/>
/// rows drawn from the training inputs), or every input of <c>all-train</c>, <c>all-test</c> or <c>all-inputs</c> (the
/// whole input space of a finite task, e.g. all p² pairs of modular arithmetic); the <c>all-*</c> sources ignore
/// <paramref name="ProbeCount"/>.
/// </param>
public sealed partial record SimilaritySettings(
    bool Enabled = true,
    string? Layers = null,
    IReadOnlyList<string>? Measures = null,
    int ProbeCount = 256,
    long ProbeSeed = 0,
    string? ProbeFile = null,
    string? ProbeTensor = null,
    string? Probe = null)
{
    /// <summary>The probe sources besides a file.</summary>
    public static readonly IReadOnlyList<string> ProbeSources = ["train", "all-train", "all-test", "all-inputs"];

    /// <summary>The measures computed when none are given: the two CKAs the step engine computes together.</summary>
    public static readonly IReadOnlyList<string> DefaultMeasures = ["linear_cka", "debiased_cka"];

    /// <summary>The measures to compute.</summary>
    public IReadOnlyList<string> EffectiveMeasures => Measures is { Count: > 0 } m ? m : DefaultMeasures;
}

/// <summary>Essential-dynamics settings (the <c>dynamics</c> object of analysis.json).</summary>
/// <param name="Enabled">Compute essential dynamics of the model's outputs on the probe batch.</param>
/// <param name="Components">Principal components kept.</param>
/// <param name="SmoothingSigma">Gaussian smoothing width along steps.</param>
/// <param name="SmoothingAxis">index (checkpoint index) or log_step (ln(step + 1)).</param>
public sealed partial record DynamicsSettings(bool Enabled = true, int Components = 3, double SmoothingSigma = 1.0, string SmoothingAxis = "index");

/// <summary>Stage-detection settings (the <c>stages</c> object of analysis.json).</summary>
/// <param name="Enabled">Build the stage table.</param>
/// <param name="Cost">Change-point cost for loss and similarity curves (l2, l1, normal, rbf).</param>
/// <param name="Method">Search method (pelt, binseg, dynp).</param>
/// <param name="Penalty">Penalty; null for the documented default.</param>
/// <param name="MinSegmentSize">Minimum checkpoints per segment.</param>
/// <param name="Tolerance">Boundaries of different signals closer than this (in checkpoints) are merged.</param>
public sealed partial record StageSettings(bool Enabled = true, string Cost = "l2", string Method = "pelt", double? Penalty = null,
    int MinSegmentSize = 2, double Tolerance = 2);
