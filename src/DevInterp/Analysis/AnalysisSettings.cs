using DevInterp.Llc;

namespace DevInterp.Analysis;

/// <summary>LLC settings of an analysis (the <c>llc</c> object of analysis.json); see docs/llc.md for each.</summary>
/// <param name="Enabled">Estimate the LLC per checkpoint.</param>
/// <param name="Chains">Chains.</param>
/// <param name="Draws">Minimum draws per chain.</param>
/// <param name="BurnIn">Burn-in steps.</param>
/// <param name="StepsBetweenDraws">Thinning.</param>
/// <param name="StepSize">ε; null to calibrate once on <paramref name="CalibrateAt"/> and use the result for every checkpoint.</param>
/// <param name="CalibrateAt">Step of the checkpoint to calibrate on; null for the last checkpoint (a trained model, where the loss is most curved).</param>
/// <param name="Localization">γ.</param>
/// <param name="NBeta">nβ; null for n / ln n.</param>
/// <param name="BatchSize">Minibatch size; null for automatic.</param>
/// <param name="Seed">Seed of all sampling randomness.</param>
/// <param name="Sampler">mala (the default), sgld, rmsprop_sgld or sgnht.</param>
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
public sealed partial record LlcSettings(
    bool Enabled = true,
    int Chains = 8,
    int Draws = 1000,
    int BurnIn = 500,
    int StepsBetweenDraws = 1,
    double? StepSize = null,
    long? CalibrateAt = null,
    double Localization = 0.1,
    double? NBeta = null,
    int? BatchSize = null,
    long Seed = 0,
    string Sampler = "mala",
    string Integrator = "leimkuhler_matthews",
    bool ControlVariates = true,
    double? TargetRelativeError = 0.03,
    int MaxDraws = 3000,
    string? ParameterPattern = null,
    bool Traces = true,
    string? Compat = null)
{
    /// <summary>The estimator options these settings describe (with the given or calibrated step size).</summary>
    public LlcOptions ToOptions(double? stepSize = null)
    {
        var options = new LlcOptions(
            Chains, Draws, BurnIn, StepsBetweenDraws, stepSize ?? StepSize, Localization, NBeta, BatchSize, Seed,
            ParseSampler(Sampler), ParameterPattern, null, ControlVariates, TargetRelativeError == 0 ? null : TargetRelativeError, Math.Max(MaxDraws, Draws),
            ParseIntegrator(Integrator));
        return ParseCompat(Compat) == LlcCompat.Devinterp ? options.WithDevinterpConventions() : options;
    }

    /// <summary>Parses a compat name (none or null, devinterp).</summary>
    public static LlcCompat ParseCompat(string? name) => name?.ToLowerInvariant() switch
    {
        null or "none" => LlcCompat.None,
        "devinterp" => LlcCompat.Devinterp,
        _ => throw new ArgumentException($"llc.compat '{name}' is not one of none, devinterp"),
    };

    /// <summary>Parses a sampler name (mala, sgld, rmsprop_sgld, sgnht).</summary>
    public static SamplerKind ParseSampler(string name) => name.Replace("-", "_").ToLowerInvariant() switch
    {
        "mala" => SamplerKind.Mala,
        "sgld" => SamplerKind.Sgld,
        "rmsprop_sgld" or "psgld" => SamplerKind.RmspropSgld,
        "sgnht" => SamplerKind.Sgnht,
        _ => throw new ArgumentException($"llc.sampler '{name}' is not one of mala, sgld, rmsprop_sgld, sgnht"),
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
