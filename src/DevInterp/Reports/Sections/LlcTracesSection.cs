using System.Text;
using DevInterp.Storage;

namespace DevInterp.Reports.Sections;

/// <summary>
/// The SGLD traces (λ per draw per chain) of every LLC estimate, trusted or not, read from the folder's <c>llc_traces</c>
/// table, each captioned with its verdict, R̂, ESS and drift; <see cref="LlcDiagnosticsSection"/> draws only the flagged ones. Not on the default page
/// (<see cref="AnalysisReport.DefaultSections"/>): choose it with <see cref="SectionReport"/>.
/// </summary>
public sealed class LlcTracesSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "llc-traces";

    /// <inheritdoc />
    public string Title => "LLC traces";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(context);
        var byStep = (data.TraceRowCount == 0 ? [] : AnalysisStore.Open(data.Folder).Read<LlcTraceRow>())
            .GroupBy(t => t.Step).ToDictionary(g => g.Key, g => g.ToList());
        var rows = data.Llc.Where(r => byStep.ContainsKey(r.Step)).OrderBy(r => r.Step).ToList();
        if (rows.Count == 0) return SectionBody.Absent("the llc_traces table is absent or empty, or none of its steps is in the llc table (traces were not kept).");
        int max = context.Options.MaxTraceCheckpoints;
        var shown = rows.Count <= max ? rows
            : Enumerable.Range(0, max).Select(i => rows[max == 1 ? 0 : (int)Math.Round(i * (rows.Count - 1) / (double)(max - 1))]).ToList();
        var sb = new StringBuilder();
        sb.Append(Html.Note("λ per draw (nβ·(L(w_t) − L(w*) − control variate)) for each chain after burn-in; each chain's mean is its " +
            "estimate. Healthy chains overlap and fluctuate around one level without a trend."));
        sb.Append("<div class=\"grid\">\n");
        foreach (var row in shown)
        {
            string caption = $"{StoreEnums.Format(row.Verdict)}: R̂ {Html.Number(row.RHat, "F3")}, bulk ESS {Html.Number(row.BulkEss, "F0")}, " +
                $"tail ESS {Html.Number(row.TailEss, "F0")}, drift {Html.Number(row.Drift, "F3")}, spreading {Html.Number(row.Spread, "F3")}, " +
                $"{row.Chains} chains × {row.Draws} draws" +
                (row.DroppedChains > 0 ? $", {row.DroppedChains} dropped" : "");
            sb.Append(context.Chart(LlcDiagnosticsSection.Build(row, byStep[row.Step], context), "trace", caption));
        }
        sb.Append("</div>\n");
        if (shown.Count < rows.Count)
            sb.Append(Html.Note($"{rows.Count - shown.Count} more estimate(s) have traces that are not drawn (at most {max}, evenly spaced over the steps).", "warning"));
        return new SectionBody(true, sb.ToString());
    }
}
