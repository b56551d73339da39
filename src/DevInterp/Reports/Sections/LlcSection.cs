using System.Globalization;
using System.Text;
using DevInterp.Llc;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>λ̂ over steps with a ± one standard deviation band, stage bands, and the diagnostics' verdict on every point.</summary>
public sealed class LlcSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "llc";

    /// <inheritdoc />
    public string Title => "Local learning coefficient";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        if (data.Llc.Count == 0) return SectionBody.Absent("the llc table is absent or empty (devinterp llc or devinterp analyze fills it).");
        var drawn = data.Llc.Where(r => double.IsFinite(r.Mean)).ToList();
        var sb = new StringBuilder();
        if (drawn.Count > 0) sb.Append(context.Chart(Build(data, drawn, context), "llc"));
        var undrawn = data.Llc.Where(r => !double.IsFinite(r.Mean)).ToList();
        if (undrawn.Count > 0)
        {
            sb.Append(Html.Note($"Not drawn (no finite λ̂): {string.Join("; ", undrawn.Select(r => $"step {r.Step} ({StoreEnums.Format(r.Verdict)}: {r.Reasons})"))}.", "warning"));
        }
        int doubtful = data.Llc.Count(r => r.Verdict == LlcVerdict.Doubtful), untrusted = data.Llc.Count(r => r.Verdict == LlcVerdict.Untrusted);
        bool log = ValueScale.SpansDecades(drawn.Select(r => r.Mean));
        sb.Append(Html.Note($"{data.Llc.Count} estimates: {data.Llc.Count - doubtful - untrusted} trusted, {doubtful} doubtful (orange diamonds), " +
            $"{untrusted} untrusted (red crosses). The band is λ̂ ± one standard error (the chains' spread over √chains; no band where fewer " +
            $"than two chains survived). x: {data.Unit} on a log scale, plotted at {data.Unit} + 1." + (log ? " y: log scale (every λ̂ is positive and they span decades)." : "") +
            (data.Stages.Count > 1 ? " Shaded bands: the stages of the stage table." : "")));
        if (LlcMeaning.Describe(data.Llc, data.LlcSetting) is { } meaning) sb.Append(Html.Note(meaning, "note llc-meaning"));
        return new SectionBody(true, sb.ToString());
    }

    private static GenericChart Build(ReportData data, IReadOnlyList<LlcRow> rows, ReportContext context)
    {
        var x = rows.Select(r => StepAxis.X(r.Step)).ToArray();
        var mean = rows.Select(r => context.Round(r.Mean)).ToArray();
        // The band is the standard error of λ̂: the chains' spread over √(healthy chains).
        var spread = rows.Select(r => double.IsFinite(r.Std) && r.Chains - r.DroppedChains > 0 ? r.Std / Math.Sqrt(r.Chains - r.DroppedChains) : 0).ToArray();
        var band = Chart.Range<double, double, string>(x, mean,
            mean.Select((m, i) => context.Round(m + spread[i])), mean.Select((m, i) => context.Round(m - spread[i])),
            StyleParam.Mode.Lines, Name: "λ̂ ± 1 s.e.", LineColor: Color.fromString(ChartStyle.Neutral),
            RangeColor: Color.fromString("rgba(31, 119, 180, 0.18)"), UpperName: "λ̂ + s.e.", LowerName: "λ̂ − s.e.");
        ChartStyle.OnTraces(band, "hoverinfo", "skip");
        foreach (var trace in band.GetTraces())
        {
            // One legend entry for the band: the mean line; the edges are not listed, nor is Plotly.NET's group title.
            trace.RemoveProperty("legendgrouptitle");
            if (trace.TryGetTypedPropertyValue<string>("name")?.Value != "λ̂ ± 1 s.e.") trace.SetProperty("showlegend", false);
        }
        var charts = new List<GenericChart> { band };
        foreach (var (verdict, symbol, color, size) in new[]
                 {
                     (LlcVerdict.Trusted, StyleParam.MarkerSymbol.Circle, ChartStyle.Trusted, 8),
                     (LlcVerdict.Doubtful, StyleParam.MarkerSymbol.Diamond, ChartStyle.Doubtful, 12),
                     (LlcVerdict.Untrusted, StyleParam.MarkerSymbol.X, ChartStyle.Untrusted, 13),
                 })
        {
            var points = rows.Where(r => r.Verdict == verdict).ToList();
            if (points.Count == 0) continue;
            var markers = Chart.Point<double, double, string>(
                points.Select(r => StepAxis.X(r.Step)), points.Select(r => context.Round(r.Mean)),
                Name: $"{StoreEnums.Format(verdict)} ({points.Count})", MarkerSymbol: symbol, MarkerColor: Color.fromString(color),
                MultiText: points.Select(Hover).ToArray());
            ChartStyle.MarkerSize(markers, size, outline: "#222");
            ChartStyle.HoverText(markers);
            charts.Add(markers);
        }
        var chart = Chart.Combine(charts);
        ChartStyle.Frame(chart, "LLC λ̂ over training", 460);
        var steps = data.AllSteps;
        ChartStyle.StepX(chart, steps[0], steps[^1], data.Unit);
        ChartStyle.LogWhenDecades(chart, "yaxis", rows.Select(r => r.Mean), "λ̂");
        StageBands.Add(chart, data.Stages);
        return chart;
    }

    private static string Hover(LlcRow r)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"step {r.Step}<br>λ̂ {r.Mean:G5} ± {Html.Number(r.Std, "G3")}<br>R̂ {Html.Number(r.RHat, "F3")}<br>{StoreEnums.Format(r.Verdict)}");
        return r.Reasons.Length == 0 ? text : text + "<br>" + Html.Escape(r.Reasons);
    }
}
