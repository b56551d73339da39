using System.Globalization;
using System.Text;
using DevInterp.Storage;

namespace DevInterp.Reports.Sections;

/// <summary>The stage table: developmental stages with their boundaries, LLC and loss trends, and the signals behind each boundary.</summary>
public sealed class StagesSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "stages";

    /// <inheritdoc />
    public string Title => "Developmental stages";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        if (data.Stages.Count == 0) return SectionBody.Absent("the stages table is absent or empty (devinterp analyze fills it).");
        var sb = new StringBuilder();
        sb.Append(Html.Table(["stage", data.Unit + "s", "LLC trend", "Δ LLC", "Δ loss", "boundary signals", "boundary confidence"],
            data.Stages.OrderBy(s => s.Stage).Select(s => (IReadOnlyList<string>)
            [
                s.Stage.ToString(CultureInfo.InvariantCulture),
                Html.Escape(string.Create(CultureInfo.InvariantCulture, $"{s.StartStep} – {s.EndStep}")),
                s.LlcTrend is { } t ? $"<span class=\"trend {StoreEnums.Format(t)}\">{StoreEnums.Format(t)}</span>" : "—",
                Html.Number(s.LlcChange, "+0.###;−0.###;0"), Signed(s.LossChange),
                s.Signals.Count == 0 ? "—" : Html.Escape(string.Join(", ", s.Signals)), Html.Number(s.Confidence, "F2"),
            ]), "stages"));
        sb.Append(Html.Note($"A stage runs from its start {data.Unit} up to the next stage's start (the last includes its end). Δ LLC and " +
            "Δ loss: the last value measured in the stage minus the first; the LLC trend follows those values. Boundary signals: the " +
            "curves that changed regime there (loss and accuracy curves, the LLC, bursts of representational change, sharp turns of " +
            "the essential-dynamics path), each large against its own noise and scale; confidence (k + 1)/(n + 2) for k of n signals " +
            "agreeing, so one signal alone gives 0.67 and every one of four 0.83 (docs/stages.md). The same stages shade every chart " +
            "over training."));
        return new SectionBody(true, sb.ToString());
    }

    // A loss spans decades: three significant digits with an explicit sign (−4.4e-5, not a fixed-point 0).
    private static string Signed(double? value) => value is { } v && double.IsFinite(v) && v != 0
        ? (v > 0 ? "+" : "−") + Html.Number(Math.Abs(v), "G3")
        : Html.Number(value, "0");
}
