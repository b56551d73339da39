namespace DevInterp.Analysis;

/// <summary>
/// Analysis settings that cannot run (out of range, unknown names, or more memory than the machine has), found before
/// any checkpoint is read. The one-line message names every bad setting as analysis.json spells it, with the
/// command-line option in parentheses: "llc.draws: expected at least 4, got 0 (--draws)".
/// </summary>
public sealed class SettingsException : ArgumentException
{
    /// <summary>Creates the exception from the problems found (each one naming its setting).</summary>
    public SettingsException(IReadOnlyList<string> problems)
        : base(problems.Count == 1 ? problems[0] : $"{problems.Count} settings cannot be used: {string.Join("; ", problems)}")
    {
        Problems = problems;
    }

    /// <summary>Each problem, naming its setting.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Throws when <paramref name="problems"/> is not empty.</summary>
    public static void ThrowIfAny(IReadOnlyList<string> problems)
    {
        if (problems.Count > 0) throw new SettingsException(problems);
    }
}
