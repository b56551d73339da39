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
    /// w* reads as a local minimum when a short descent from it (<see cref="DescentTest"/>) lowers nβ·L by at most
    /// this: less than the thermal energy of one degree of freedom of the tempered posterior, so at the posterior's
    /// temperature the loss does not slope away from w*.
    /// </summary>
    public const double MaxDescent = 1;

    /// <summary>
    /// The reading of an estimate λ̂ with verdict <paramref name="verdict"/> at a w* where ‖∇L‖ = <paramref name="gradientNorm"/>
    /// and a short descent lowers L by <paramref name="descentDrop"/>.
    /// </summary>
    public static (LlcReading Reading, string Reason) Classify(double estimate, LlcVerdict verdict, double nBeta, double gradientNorm,
        double descentDrop)
    {
        static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
        if (verdict == LlcVerdict.Untrusted || !double.IsFinite(estimate))
            return (LlcReading.Untrusted, "untrusted: the chains escaped, diverged or did not mix (see the reasons)");
        if (!double.IsFinite(descentDrop))
            return (LlcReading.Localized, "no descent test: read as a localized value");
        double energy = nBeta * descentDrop;
        return energy <= MaxDescent
            ? (LlcReading.LocalMinimum, $"at a local minimum: a short descent from w* lowers nβ·L by {F(energy)} ≤ {MaxDescent} (‖∇L(w*)‖ = {F(gradientNorm)}), so λ̂ estimates the learning coefficient (at this γ)")
            : (LlcReading.Localized, $"away from a minimum: a short descent from w* lowers nβ·L by {F(energy)} > {MaxDescent} (‖∇L(w*)‖ = {F(gradientNorm)}); a localized value, comparable within this run, not an estimate of λ");
    }
}
