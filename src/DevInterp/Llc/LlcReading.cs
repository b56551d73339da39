using System.Globalization;

namespace DevInterp.Llc;

/// <summary>What an LLC value at a checkpoint means (docs/llc.md, "What a number means at each checkpoint").</summary>
public enum LlcReading
{
    /// <summary>w* behaves as a local minimum: λ̂ estimates the learning coefficient (at this γ and nβ).</summary>
    LocalMinimum,
    /// <summary>
    /// w* is not a minimum (the loss still slopes there), but the chains stayed local and stationary: a localized value,
    /// comparable with the others of this run (same ε, γ, nβ), not an estimate of λ.
    /// </summary>
    Localized,
    /// <summary>The chains escaped, diverged or did not mix: the value should not be used.</summary>
    Untrusted,
}

/// <summary>Classifies an estimate into an <see cref="LlcReading"/>, with the reason in words.</summary>
public static class LlcReadings
{
    /// <summary>
    /// The slope's share of λ̂ above which w* is read as "not a minimum": the chains' mean shifts downhill by at most
    /// nβ‖∇L(w*)‖/γ, which lowers nβ·E[L − L*] by at most nβ²‖∇L(w*)‖²/γ; below a tenth of λ̂ the value is the
    /// curvature's and the degeneracy's, i.e. the local learning coefficient's.
    /// </summary>
    public const double MaxSlopeShare = 0.1;

    /// <summary>The bound nβ²‖∇L(w*)‖²/γ on how much the slope at w* moves λ̂ (infinite without localization).</summary>
    public static double SlopeTerm(double nBeta, double gradientNorm, double localization) =>
        localization > 0 ? nBeta * nBeta * gradientNorm * gradientNorm / localization : double.PositiveInfinity;

    /// <summary>The reading of an estimate λ̂ with verdict <paramref name="verdict"/> at a w* where ‖∇L‖ = <paramref name="gradientNorm"/>.</summary>
    public static (LlcReading Reading, string Reason) Classify(double estimate, LlcVerdict verdict, double nBeta, double gradientNorm,
        double localization)
    {
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        if (verdict == LlcVerdict.Untrusted || !double.IsFinite(estimate))
            return (LlcReading.Untrusted, "untrusted: the chains escaped, diverged or did not mix (see the reasons)");
        if (!double.IsFinite(gradientNorm))
            return (LlcReading.Localized, "‖∇L(w*)‖ unknown: read as a localized value");
        double slope = SlopeTerm(nBeta, gradientNorm, localization);
        return slope <= MaxSlopeShare * Math.Abs(estimate)
            ? (LlcReading.LocalMinimum, $"at a local minimum: ‖∇L(w*)‖ = {F(gradientNorm)} moves λ̂ by at most nβ²‖∇L‖²/γ = {F(slope)} ≤ {MaxSlopeShare:P0} of λ̂, so λ̂ estimates the learning coefficient")
            : (LlcReading.Localized, $"away from a minimum: ‖∇L(w*)‖ = {F(gradientNorm)} (nβ²‖∇L‖²/γ = {F(slope)} > {MaxSlopeShare:P0} of λ̂); a localized value, comparable within this run, not an estimate of λ");
    }
}
