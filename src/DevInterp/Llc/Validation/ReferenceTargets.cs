namespace DevInterp.Llc.Validation;

/// <summary>
/// Exact targets of the deep validation cases from long Metropolis-adjusted reference chains (docs/llc.md,
/// "Reference chains": how they were made and how to rerun them with <c>DevInterp.Bench llc-reference</c>). Each
/// holds for one data set (the suite's seed), nβ and γ; other settings have no reference.
/// </summary>
public static class ReferenceTargets
{
    /// <summary>One reference value.</summary>
    /// <param name="Case">Case name.</param>
    /// <param name="Seed">Seed of the data set.</param>
    /// <param name="NBeta">nβ.</param>
    /// <param name="Localization">γ.</param>
    /// <param name="Value">nβ·E[L_n − L_n(w*)] over the reference chains.</param>
    /// <param name="StandardError">Its Monte Carlo standard error.</param>
    public sealed record Entry(string Case, long Seed, double NBeta, double Localization, double Value, double StandardError);

    /// <summary>The reference values (n = 10⁴, nβ = n/ln n, σ = 1).</summary>
    public static IReadOnlyList<Entry> All { get; } =
    [
        // llc-reference CASE EPS·nβ 40000 10 50000: 8 chains × (5·10⁴ burn-in + 4·10⁵) steps, step-size range 1000.
        new("rrr-6-4-6-r2", 1, NBeta, 0.1, 13.4252, 0.0463),    // ε·nβ = 0.02, acceptance 0.94, R̂ 1.001
        new("dln-10-8-8-10-r2", 1, NBeta, 0.1, 31.9876, 0.1309), // ε·nβ = 0.003, acceptance 0.99, R̂ 1.004
        new("dln-12-10-8-6-12-r3", 1, NBeta, 0.1, 37.9057, 0.1927), // ε·nβ = 0.0015, acceptance 0.99, R̂ 1.011, ESS 970
    ];

    // nβ = n/ln n for the suite's n = 10⁴.
    private static double NBeta => LlcOptions.DefaultNBeta(LlcValidationSuite.SampleCount);

    /// <summary>The reference target for a case at a seed, nβ and γ, or null when there is none.</summary>
    public static ExactTarget? Find(string name, long seed, double nBeta, double localization)
    {
        var e = All.FirstOrDefault(r => r.Case == name && r.Seed == seed && Close(r.NBeta, nBeta) && Close(r.Localization, localization));
        return e is null ? null : new ExactTarget(e.Value, e.StandardError, "reference MALA chains (docs/llc.md)");
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b));
}
