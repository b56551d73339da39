namespace DevInterp.Llc;

/// <summary>Settings of a step-size calibration sweep.</summary>
/// <param name="Base">The estimate's options (sampler, γ, nβ, batch size, seed); its step size is ignored.</param>
/// <param name="StepSizes">Step sizes to try, or null for the default grid ε = 10^(−4 + k/2) / nβ, k = 0…9.</param>
/// <param name="Chains">Chains per grid point.</param>
/// <param name="Draws">Draws per chain per grid point.</param>
/// <param name="BurnIn">Burn-in per grid point.</param>
/// <param name="NBetas">Extra nβ values to sweep (each with the whole ε grid), for a sensitivity table; null for none.</param>
/// <param name="Localizations">Extra γ values to sweep, for a sensitivity table; null for none.</param>
/// <param name="AcceptanceLow">Lower end of the acceptance band a Metropolis-adjusted sampler's ε is chosen in.</param>
/// <param name="AcceptanceHigh">Upper end of that band.</param>
/// <param name="AcceptanceTarget">
/// The acceptance aimed for within the band: 0.574, MALA's asymptotically optimal rate (Roberts &amp; Rosenthal 1998).
/// Over [0.4, 0.8] the asymptotic efficiency stays within 82 % of its optimum (docs/llc.md, "Calibration").
/// </param>
/// <param name="MaxPoints">Most step sizes one adjusted sweep tries.</param>
public sealed record CalibrationOptions(
    LlcOptions Base,
    IReadOnlyList<double>? StepSizes = null,
    int Chains = 8,
    int Draws = 300,
    int BurnIn = 200,
    IReadOnlyList<double>? NBetas = null,
    IReadOnlyList<double>? Localizations = null,
    double AcceptanceLow = 0.4,
    double AcceptanceHigh = 0.8,
    double AcceptanceTarget = 0.574,
    int MaxPoints = 20)
{
    /// <summary>Calibration settings derived from an estimate's options (shorter chains, same everything else).</summary>
    public static CalibrationOptions For(LlcOptions options) =>
        new(options, Chains: Math.Max(2, options.Chains), Draws: Math.Max(50, Math.Min(options.Draws, 300)),
            BurnIn: Math.Min(options.BurnIn, 200));

    /// <summary>The ε grid for a given nβ.</summary>
    public IReadOnlyList<double> GridFor(double nBeta) =>
        StepSizes ?? Enumerable.Range(0, 10).Select(k => LlcOptions.GridLow * Math.Pow(10, k / 2.0) / nBeta).ToArray();
}

/// <summary>One point of a calibration grid.</summary>
/// <param name="StepSize">ε.</param>
/// <param name="NBeta">nβ.</param>
/// <param name="Localization">γ.</param>
/// <param name="Mean">λ̂ at this point.</param>
/// <param name="Std">Spread over chains.</param>
/// <param name="RHat">R̂.</param>
/// <param name="Drift">Relative drift over the second half.</param>
/// <param name="Verdict">The diagnostics' verdict.</param>
/// <param name="Diverged">True when a chain diverged.</param>
/// <param name="Passing">
/// True when the chains pass the diagnostics: no divergence, λ̂ &gt; 0, R̂ ≤ 1.1, no significant drift of λ̂, no spikes
/// or excess scatter of the draws.
/// </param>
/// <param name="Stable">
/// True when the estimate agrees with every neighbouring point of the sweep (within <see cref="LlcCalibrator.AgreementZ"/>
/// combined standard errors).
/// </param>
/// <param name="Acceptance">Mean acceptance rate of the chains (NaN for unadjusted samplers).</param>
/// <param name="Dispersion">Var/mean of the draws.</param>
/// <param name="SpikeRatio">The largest draw over the largest of a Gamma(λ̂, 1) sample of the same size.</param>
/// <param name="StandardError">Standard error of λ̂: the larger of the chain spread over √chains and the ESS-based error.</param>
/// <param name="Reasons">Why the point fails or disagrees, in words (empty when it passes and agrees).</param>
public sealed record CalibrationPoint(double StepSize, double NBeta, double Localization, double Mean, double Std,
    double RHat, double Drift, LlcVerdict Verdict, bool Diverged, bool Passing, bool Stable,
    double Acceptance = double.NaN, double Dispersion = double.NaN, double SpikeRatio = double.NaN,
    double StandardError = double.NaN, IReadOnlyList<string>? Reasons = null)
{
    /// <summary>The reasons, never null.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = Reasons ?? [];
}

/// <summary>The outcome of a calibration: the grid and the chosen step size, with why.</summary>
/// <param name="Grid">Every point tried.</param>
/// <param name="Chosen">The chosen ε (for the base nβ and γ).</param>
/// <param name="Reason">Why it was chosen, in words.</param>
/// <param name="Confident">False when no point met the rule and a fallback was used.</param>
public sealed record CalibrationResult(IReadOnlyList<CalibrationPoint> Grid, double Chosen, string Reason, bool Confident)
{
    /// <summary>The chosen point of the grid (at the base nβ and γ; the first sweep).</summary>
    public CalibrationPoint ChosenPoint => Grid.First(p => p.StepSize == Chosen);
}
