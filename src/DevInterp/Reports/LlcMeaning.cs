using System.Globalization;
using DevInterp.Llc;
using DevInterp.Storage;

namespace DevInterp.Reports;

/// <summary>
/// One paragraph saying what the LLC values of an analysis mean, with the settings they were estimated with, read from
/// the <c>llc</c> table itself (every distinct value of each setting, every verdict that occurs), so it stays right
/// whatever a run used and whatever verdicts a later version writes.
/// </summary>
public static class LlcMeaning
{
    /// <summary>The paragraph (plain text), or null without LLC estimates.</summary>
    public static string? Describe(IReadOnlyList<LlcRow> rows, IReadOnlyList<LlcSettingRow>? setting = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) return null;
        var dims = rows.Select(r => r.Dimension).Where(d => d > 0).Distinct().Order().ToList();
        string what = "λ̂ estimates the local learning coefficient at each checkpoint: how many effective parameters the solution " +
            "uses. A larger λ̂ is a more complex solution, a smaller one a more degenerate, simpler one";
        if (dims.Count == 1)
            what += string.Create(CultureInfo.InvariantCulture,
                $"; for these d = {dims[0]:N0} sampled parameters a regular (non-degenerate) minimum would have λ = d/2 = {dims[0] / 2.0:G4}");
        what += ". It is defined at a local minimum of the loss. Most checkpoints of a run in training are not minima: there, with one " +
            "localization γ for the whole run that keeps the chains near w*, λ̂ is a localized value — comparable along this run, " +
            "not an estimate of λ. Each checkpoint's reading says which (a short descent from w* that lowers nβ·L by at most 1 reads " +
            "as a local minimum).";
        var readings = rows.Where(r => r.Reading is not null).GroupBy(r => r.Reading!.Value).OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} {Reading(g.Key)}").ToList();
        if (readings.Count > 0) what += $" Readings: {string.Join(", ", readings)}.";
        if (setting is { Count: > 0 }) what += $" The setting ({setting[0].Source}): {setting[0].Reason}.";

        var settings = new List<string>
        {
            Distinct(rows, r => r.Sampler == DevInterp.Llc.SamplerKind.Pcnl ? "pCNL" : StoreEnums.Format(r.Sampler).ToUpperInvariant().Replace("_", "-", StringComparison.Ordinal), v => v),
            Distinct(rows, r => (r.Chains, r.Draws), v => $"{v.Chains} chains × {v.Draws} draws"),
            "ε " + Distinct(rows, r => (r.StepSize, r.StepSizeSource), v => $"{Html.Number(v.StepSize, "G3")} ({v.StepSizeSource})"),
            "γ " + Distinct(rows, r => r.Localization, v => Html.Number(v, "G3")),
            "nβ " + Distinct(rows, r => r.NBeta, v => Html.Number(v, "G4")),
            "n " + Distinct(rows, r => r.SampleCount, v => v.ToString("N0", CultureInfo.InvariantCulture)),
            "batch " + Distinct(rows, r => r.BatchSize, v => v.ToString("N0", CultureInfo.InvariantCulture)),
        };
        var verdicts = rows.GroupBy(r => StoreEnums.Format(r.Verdict)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key}")).ToList();
        string verdictText = $"{rows.Count} estimates: {string.Join(", ", verdicts)}";
        int untrusted = rows.Count(r => r.Verdict == LlcVerdict.Untrusted || !double.IsFinite(r.Mean));
        if (untrusted > 0) verdictText += $"; the {untrusted} untrusted or undefined ones are left out of the stage table";
        return $"{what} Settings: {string.Join(", ", settings)}. {verdictText}.";
    }

    private static string Reading(LlcReading reading) => reading switch
    {
        LlcReading.LocalMinimum => "at a local minimum (estimates of λ)",
        LlcReading.Localized => "away from a minimum (localized values)",
        _ => "untrusted",
    };

    // "a" when every row has the same value, "a … b (k values)" when they differ.
    private static string Distinct<T>(IReadOnlyList<LlcRow> rows, Func<LlcRow, T> key, Func<T, string> format)
    {
        var values = rows.Select(key).Distinct().ToList();
        if (values.Count == 1) return format(values[0]);
        var texts = values.Select(format).Distinct().ToList();
        return texts.Count <= 3 ? string.Join(" / ", texts) + " (by checkpoint)" : $"{texts[0]} … {texts[^1]} ({texts.Count} values by checkpoint)";
    }
}
