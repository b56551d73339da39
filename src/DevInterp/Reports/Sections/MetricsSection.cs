using System.Globalization;
using System.Text;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>Loss and accuracy over steps, from the run's metrics stored with each checkpoint (<c>metric_*</c> columns).</summary>
public sealed class MetricsSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "metrics";

    /// <inheritdoc />
    public string Title => "Loss and accuracy";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        var names = data.Checkpoints.SelectMany(c => c.Metrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return SectionBody.Absent("the checkpoints table is absent, or none of its checkpoints carries a metric (no metric_* columns: the run saved no loss or accuracy with its checkpoints).");
        var groups = new (string Title, string Kind, Func<string, bool> Match)[]
        {
            ("Loss", "loss", n => n.Contains("loss", StringComparison.OrdinalIgnoreCase)),
            ("Accuracy", "accuracy", n => n.Contains("acc", StringComparison.OrdinalIgnoreCase) && !n.Contains("loss", StringComparison.OrdinalIgnoreCase)),
        };
        var sb = new StringBuilder();
        var used = new HashSet<string>();
        foreach (var (title, kind, match) in groups)
        {
            var members = names.Where(match).ToList();
            used.UnionWith(members);
            if (members.Count > 0) sb.Append(context.Chart(Build(data, members, title, kind == "loss", context), kind));
        }
        var other = names.Where(n => !used.Contains(n)).ToList();
        if (other.Count > 0) sb.Append(context.Chart(Build(data, other, "Other metrics", false, context), "metrics"));
        sb.Append(Html.Note("x: step on a log scale, plotted at step + 1 so that step 0 is shown (ticks give the real step). " +
            "A gap is a checkpoint without that metric or with a non-finite value." + (data.Stages.Count > 1 ? " Shaded bands: the stages." : "")));
        return new SectionBody(true, sb.ToString());
    }

    private static GenericChart Build(ReportData data, IReadOnlyList<string> metrics, string title, bool isLoss, ReportContext context)
    {
        var charts = new List<GenericChart>();
        var finite = new List<double>();
        foreach (string metric in metrics)
        {
            var points = data.Checkpoints
                .Where(c => c.Metrics.TryGetValue(metric, out double v) && double.IsFinite(v))
                .Select(c => (c.Step, Value: c.Metrics[metric])).ToList();
            if (points.Count == 0) continue;
            finite.AddRange(points.Select(p => p.Value));
            charts.Add(Chart.Line<double, double, string>(
                points.Select(p => StepAxis.X(p.Step)), points.Select(p => context.Round(p.Value)),
                ShowMarkers: true, Name: metric,
                MultiText: points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{metric}<br>step {p.Step}: {p.Value:G6}")).ToArray()));
        }
        if (charts.Count == 0) charts.Add(Chart.Line<double, double, string>(Array.Empty<double>(), Array.Empty<double>(), Name: "no finite values"));
        var chart = Chart.Combine(charts);
        ChartStyle.Frame(chart, title, 380);
        ChartStyle.HoverText(chart);
        var steps = data.Checkpoints.Select(c => c.Step).ToList();
        ChartStyle.StepX(chart, steps.Min(), steps.Max());
        // Losses often span decades; a log y axis then shows late training, where a linear one shows a flat line.
        bool logY = isLoss && finite.Count > 0 && finite.Min() > 0 && finite.Max() / finite.Min() > 30;
        ChartStyle.AxisTitle(chart, "yaxis", logY ? "value (log scale)" : "value", logY);
        ChartStyle.StageBands(chart, data.Stages);
        return chart;
    }
}
