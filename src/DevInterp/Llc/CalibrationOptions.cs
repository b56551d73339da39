namespace DevInterp.Llc;

/// <summary>Settings of a step-size calibration sweep.</summary>
/// <param name="Base">The estimate's options (sampler, γ, nβ, batch size, seed); its step size is ignored.</param>
/// <param name="StepSizes">Step sizes to try, or null for the default grid ε = 10^(−4 + k/2) / nβ, k = 0…9.</param>
/// <param name="Chains">Chains per grid point.</param>
/// <param name="Draws">Draws per chain per grid point.</param>
/// <param name="BurnIn">Burn-in per grid point.</param>
/// <param name="NBetas">Extra nβ values to sweep (each with the whole ε grid), for a sensitivity table; null for none.</param>
/// <param name="Localizations">Extra γ values to sweep, for a sensitivity table; null for none.</param>
public sealed record CalibrationOptions(
    LlcOptions Base,
    IReadOnlyList<double>? StepSizes = null,
    int Chains = 8,
    int Draws = 300,
    int BurnIn = 200,
    IReadOnlyList<double>? NBetas = null,
    IReadOnlyList<double>? Localizations = null)
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
/// <param name="Diverged">True when a chain diverged (larger ε were then not tried).</param>
/// <param name="Passing">True when the chains pass the diagnostics: no divergence, R̂ ≤ 1.1, no significant drift.</param>
/// <param name="Stable">True for the chosen point: it passes and agrees, within the chain spread, with the passing estimate at the next smaller ε.</param>
public sealed record CalibrationPoint(double StepSize, double NBeta, double Localization, double Mean, double Std,
    double RHat, double Drift, LlcVerdict Verdict, bool Diverged, bool Passing, bool Stable);

/// <summary>The outcome of a calibration: the grid and the chosen step size, with why.</summary>
/// <param name="Grid">Every point tried.</param>
/// <param name="Chosen">The chosen ε (for the base nβ and γ).</param>
/// <param name="Reason">Why it was chosen, in words.</param>
/// <param name="Confident">False when no point met the rule and a fallback was used.</param>
public sealed record CalibrationResult(IReadOnlyList<CalibrationPoint> Grid, double Chosen, string Reason, bool Confident);
