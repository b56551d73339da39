using System.Globalization;
using System.Text;
using DevInterp.Llc;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>
/// The diagnostics of every LLC estimate (verdict, reasons, R̂, ESS, drift...) and the SGLD traces (λ per draw per chain,
/// from <c>llc_traces</c>) of the flagged checkpoints.
/// </summary>
public sealed class LlcDiagnosticsSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "llc-diagnostics";

    /// <inheritdoc />
    public string Title => "LLC diagnostics";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        if (data.Llc.Count == 0) return SectionBody.Absent("the llc table is absent or empty, so there are no diagnostics (devinterp llc or devinterp analyze fills it).");
        var sb = new StringBuilder();
        sb.Append(Html.Table(
            ["step", "verdict", "λ̂", "std", "R̂", "bulk ESS", "tail ESS", "drift", "below L(w*)", "dropped", "draws", "ε", "nβ", "γ", "sampler", "reasons"],
            data.Llc.Select(r => (IReadOnlyList<string>)
            [
                I(r.Step), Verdict(r.Verdict), Html.Number(r.Mean, "G5"), Html.Number(r.Std, "G3"), Html.Number(r.RHat, "F3"),
                Html.Number(r.BulkEss, "F0"), Html.Number(r.TailEss, "F0"), Html.Number(r.Drift, "F3"), Html.Number(r.NegativeFraction, "P1"),
                $"{r.DroppedChains} of {r.Chains}", I(r.Draws), $"{Html.Number(r.StepSize, "G3")} ({Html.Escape(r.StepSizeSource)})",
                Html.Number(r.NBeta, "G4"), Html.Number(r.Localization, "G3"), Html.Escape(StoreEnums.Format(r.Sampler)),
                Html.Escape(r.Reasons),
            ]), "diagnostics"));

        var flagged = data.Llc.Where(r => r.Verdict != LlcVerdict.Trusted)
            .OrderBy(r => r.Verdict == LlcVerdict.Untrusted ? 0 : 1).ThenBy(r => r.Step).ToList();
        if (flagged.Count == 0)
        {
            sb.Append(Html.Note("Every estimate is trusted: no trace plots."));
            return new SectionBody(true, sb.ToString());
        }
        var byStep = data.Traces.GroupBy(t => t.Step).ToDictionary(g => g.Key, g => g.ToList());
        var withTraces = flagged.Where(r => byStep.ContainsKey(r.Step)).ToList();
        var shown = withTraces.Take(context.Options.MaxTraceCheckpoints).ToList();
        sb.Append("<h3>Traces of the flagged estimates</h3>\n");
        sb.Append(Html.Note("λ per draw (nβ·(L(w_t) − L(w*) − control variate)) for each chain after burn-in. Healthy chains " +
            "overlap and fluctuate around the same level without a trend; a chain that wanders off, drifts or diverges is " +
            "what the verdict's reasons describe. Long chains are thinned to each bucket's minimum and maximum."));
        foreach (var row in shown.OrderBy(r => r.Step)) sb.Append(context.Chart(Build(row, byStep[row.Step], context), "trace"));
        var missing = flagged.Where(r => !byStep.ContainsKey(r.Step)).Select(r => I(r.Step)).ToList();
        if (missing.Count > 0)
            sb.Append(Html.Note($"No stored draws (llc_traces) for flagged step(s) {string.Join(", ", missing)}: traces were not kept or the estimate ran no draws.", "warning"));
        if (withTraces.Count > shown.Count)
            sb.Append(Html.Note($"{withTraces.Count - shown.Count} more flagged checkpoint(s) have traces that are not drawn " +
                $"(at most {context.Options.MaxTraceCheckpoints}, untrusted first): {string.Join(", ", withTraces.Skip(shown.Count).Select(r => I(r.Step)))}.", "warning"));
        return new SectionBody(true, sb.ToString());
    }

    private static GenericChart Build(LlcRow row, IReadOnlyList<LlcTraceRow> draws, ReportContext context)
    {
        var charts = new List<GenericChart>();
        var notes = new List<string>();
        foreach (var chain in draws.GroupBy(d => d.Chain).OrderBy(g => g.Key))
        {
            var ordered = chain.OrderBy(d => d.Draw).ToList();
            var lambda = ordered.Select(d => d.Lambda).ToArray();
            int nonFinite = lambda.Count(v => !double.IsFinite(v));
            if (nonFinite > 0) notes.Add($"chain {chain.Key}: {nonFinite} non-finite");
            var keep = Downsample.MinMax(lambda, context.Options.MaxTracePointsPerChain);
            var c = Chart.Line<int, double, string>(keep.Select(i => ordered[i].Draw), keep.Select(i => context.Round(lambda[i])),
                Name: $"chain {chain.Key}", LineWidth: 1.2);
            charts.Add(c);
        }
        var chart = Chart.Combine(charts);
        string title = $"step {row.Step}: {StoreEnums.Format(row.Verdict)}, λ̂ {Html.Number(row.Mean, "G4")}";
        ChartStyle.Frame(chart, title, 340);
        ChartStyle.AxisTitle(chart, "xaxis", "draw (after burn-in)");
        ChartStyle.AxisTitle(chart, "yaxis", "λ per draw");
        if (notes.Count > 0 || row.Reasons.Length > 0)
        {
            string text = string.Join("; ", new[] { row.Reasons }.Concat(notes.Count > 0 ? [$"not drawn: {string.Join(", ", notes)} draw(s)"] : []).Where(s => s.Length > 0));
            ChartStyle.Annotations(chart, [new Dictionary<string, object>
            {
                ["xref"] = "paper", ["yref"] = "paper", ["x"] = 0, ["y"] = 1.0, ["xanchor"] = "left", ["yanchor"] = "bottom",
                ["showarrow"] = false, ["align"] = "left", ["text"] = Html.Escape(Shorten(text, 160)),
                ["font"] = new Dictionary<string, object> { ["size"] = 10, ["color"] = row.Verdict == LlcVerdict.Untrusted ? ChartStyle.Untrusted : ChartStyle.Doubtful },
            }]);
            chart.GetLayout().SetProperty("margin", new Dictionary<string, object> { ["l"] = 70, ["r"] = 30, ["t"] = 70, ["b"] = 60 });
        }
        return chart;
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    internal static string Verdict(LlcVerdict v) => $"<span class=\"verdict {StoreEnums.Format(v)}\">{StoreEnums.Format(v)}</span>";
}
