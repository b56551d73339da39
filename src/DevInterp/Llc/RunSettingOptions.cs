namespace DevInterp.Llc;

/// <summary>
/// Settings of the run-level search for one LLC setting (ε, γ, draws, burn-in) from a few probe checkpoints
/// (<see cref="RunSettingSearch"/>; the rule and its reasons are in docs/llc.md, "One setting for a run").
/// </summary>
/// <param name="Localizations">
/// The γ ladder, tried from the weakest up; null for <see cref="DefaultLocalizations"/>. A given γ is a ladder of one.
/// </param>
/// <param name="StepSize">A given ε (no adaptation: only γ is searched), or null to adapt ε at every trial.</param>
/// <param name="Chains">Chains per trial.</param>
/// <param name="AdaptRounds">Most rounds of step-size adaptation per trial.</param>
/// <param name="AdaptSteps">Steps per chain in one adaptation round (the rounds are also the trial's burn-in).</param>
/// <param name="Draws">Draws per chain a trial measures with at its adapted ε.</param>
/// <param name="MaxNegativeFraction">
/// A trial fails when more than this fraction of its draws have a loss below L(w*): at a minimum almost no draw does,
/// and chains that descend from w* put most of their draws there.
/// </param>
/// <param name="MaxDrift">
/// A trial fails when λ̂ changes by more than this fraction over the second half of its draws (and the change is
/// significant): the chains are still moving, downhill or out along flat directions.
/// </param>
/// <param name="AcceptanceLow">Lower end of the acceptance band ε is adapted into (Metropolis-adjusted samplers).</param>
/// <param name="AcceptanceHigh">Upper end of that band.</param>
/// <param name="TargetEss">Bulk effective draws per checkpoint the draw count aims at (from the probes' autocorrelation).</param>
/// <param name="MinDraws">Fewest draws per chain the run-level setting gives a checkpoint, whatever the time budget.</param>
/// <param name="MaxReach">
/// A trial fails when the chains' rms distance from w* exceeds this fraction of the run's weight norm (the largest ‖w*‖
/// among the probes): the chains must stay near the checkpoint on the scale of the run's own weights.
/// </param>
/// <param name="DriftFloor">A drift of λ̂ smaller than this (in λ units) never fails a trial.</param>
/// <param name="MaxRelaxSteps">
/// Most steps chains may need to settle after leaving w*, 3·2/(εγ) (three relaxation times of the slowest direction,
/// which only the localization holds): a weaker γ fails without sampling.
/// </param>
public sealed record RunSettingOptions(
    IReadOnlyList<double>? Localizations = null,
    double? StepSize = null,
    int Chains = 4,
    int AdaptRounds = 8,
    int AdaptSteps = 40,
    int Draws = 200,
    double MaxNegativeFraction = 0.1,
    double MaxDrift = 0.1,
    double AcceptanceLow = 0.4,
    double AcceptanceHigh = 0.8,
    double TargetEss = 200,
    int MinDraws = 200,
    int MaxRelaxSteps = 1000,
    double MaxReach = 0.2,
    double DriftFloor = 0.05)
{
    /// <summary>
    /// The default γ ladder: decades from 0.1 (the single-checkpoint default) to 10⁴; a level too weak to settle the
    /// chains within <see cref="MaxRelaxSteps"/> costs only its step-size adaptation. The practice of the field for checkpoints of a run in training is γ of order 100 (devinterp's examples).
    /// </summary>
    public static IReadOnlyList<double> DefaultLocalizations { get; } = [0.1, 1, 10, 100, 1000, 10000];

    /// <summary>The ladder in use.</summary>
    public IReadOnlyList<double> Ladder => Localizations ?? DefaultLocalizations;
}

/// <summary>One trial of the search: one γ at one probe checkpoint.</summary>
/// <param name="Step">The probe checkpoint.</param>
/// <param name="Localization">γ.</param>
/// <param name="StepSize">ε the trial adapted to (or was given).</param>
/// <param name="Acceptance">Acceptance rate of the measuring draws (NaN for unadjusted samplers).</param>
/// <param name="Mean">λ̂ of the measuring draws.</param>
/// <param name="StandardError">Its standard error.</param>
/// <param name="NegativeFraction">Fraction of draws with a loss below L(w*).</param>
/// <param name="Drift">Relative change of λ̂ over the second half of the draws.</param>
/// <param name="AutocorrelationTime">Chains × draws / bulk ESS of the measuring draws.</param>
/// <param name="ChainStepsPerSecond">Sampling rate of the measuring draws (wall clock).</param>
/// <param name="Passed">The chains stayed local and stationary.</param>
/// <param name="Reasons">Why the trial failed, in words (empty when it passed).</param>
public sealed record ProbeTrial(long Step, double Localization, double StepSize, double Acceptance, double Mean,
    double StandardError, double NegativeFraction, double Drift, double AutocorrelationTime, double ChainStepsPerSecond,
    bool Passed, IReadOnlyList<string> Reasons)
{
    /// <summary>Steps the chains were given to settle before the measuring draws: 3·2/(εγ).</summary>
    public double RelaxSteps { get; init; }
}

/// <summary>The run-level LLC setting and how it was found.</summary>
/// <param name="StepSize">ε for every checkpoint: the smallest the probes adapted to at the chosen γ.</param>
/// <param name="Localization">γ for every checkpoint.</param>
/// <param name="Draws">Draws per chain (the first block; the adaptive rule may add more, up to the run's cap).</param>
/// <param name="BurnIn">Burn-in steps per chain.</param>
/// <param name="Confident">False when no γ of the ladder passed at every probe and the fallback was used.</param>
/// <param name="Reason">Why this setting, in one line.</param>
/// <param name="Trials">Every trial run, in order.</param>
/// <param name="ChainStepsPerSecond">Sampling rate measured on the probes (for the time budget).</param>
/// <param name="Seconds">Wall-clock time of the search.</param>
public sealed record RunSetting(double StepSize, double Localization, int Draws, int BurnIn, bool Confident, string Reason,
    IReadOnlyList<ProbeTrial> Trials, double ChainStepsPerSecond, double Seconds);
