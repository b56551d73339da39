using System.Globalization;
using System.Text;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>
/// Loss, accuracy and the run's other metrics over training (<c>metric_*</c> columns of the checkpoints table): the
/// losses on one chart (log scale when they span decades), the accuracies on another, then one small chart per family
/// of other metrics (sv_1 … sv_8 together, each family on its own axis), counters such as <c>epoch</c> left out. Without
/// any loss metric, the loss is the L(w*) the LLC estimator computed at each checkpoint.
/// </summary>
public sealed class MetricsSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "metrics";

    /// <inheritdoc />
    public string Title => "Loss and accuracy";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        var losses = RunCurves.Losses(data);
        var accuracies = RunCurves.Accuracies(data);
        var others = RunCurves.Others(data, out var counters);
        if (losses.Count + accuracies.Count + others.Count == 0)
            return SectionBody.Absent("the checkpoints carry no metric and no LLC estimate computed the loss.");
        var steps = data.AllSteps;
        var sb = new StringBuilder();
        if (losses.Count > 0)
        {
            sb.Append(context.Chart(Build(data, losses, "Loss", "loss", steps, context, StageBands.FullWidth, 380), "loss"));
            if (losses[0].Source.StartsWith("L(w*)", StringComparison.Ordinal))
                sb.Append(Html.Note("The checkpoints carry no loss metric: this is the training loss L(w*) the LLC estimator computed at each checkpoint (on its batches)."));
        }
        if (accuracies.Count > 0) sb.Append(context.Chart(Build(data, accuracies, "Accuracy", "accuracy", steps, context, StageBands.FullWidth, 340), "accuracy"));
        if (others.Count > 0)
        {
            sb.Append("<h3>Other metrics</h3>\n<div class=\"grid\">\n");
            foreach (var (family, members) in others)
                sb.Append(context.Chart(Build(data, members, family, family, steps, context, StageBands.HalfWidth, 320), "metrics"));
            sb.Append("</div>\n");
        }
        var notes = new List<string> { $"x: {data.Unit} on a log scale, plotted at {data.Unit} + 1 so that {data.Unit} 0 is shown. A y axis is logarithmic where its values span more than a factor {ValueScale.DecadesFactor:G}." };
        if (counters.Count > 0) notes.Add($"Not drawn (they count {data.Unit}s or samples rather than measure the model): {string.Join(", ", counters)}.");
        if (data.Stages.Count > 1) notes.Add("Shaded bands: the stages.");
        sb.Append(Html.Note(string.Join(" ", notes)));
        return new SectionBody(true, sb.ToString());
    }

    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

    private static GenericChart Build(ReportData data, IReadOnlyList<RunCurve> curves, string title, string yTitle, IReadOnlyList<long> steps,
        ReportContext context, double plotWidth, int height)
    {
        bool splits = yTitle is "loss" or "accuracy";
        var charts = curves.Select((c, i) =>
        {
            var (colour, dotted) = splits ? RunCurves.Style(c.Name, i) : (Palette[i % Palette.Length], false);
            return (GenericChart)Chart.Line<double, double, string>(
                c.Points.Select(p => StepAxis.X(p.Step)), c.Points.Select(p => context.Round(p.Value)),
                ShowMarkers: c.Points.Count <= 60, Name: Html.Escape(c.Name),
                MultiText: c.Points.Select(p => Html.Escape(string.Create(CultureInfo.InvariantCulture, $"{c.Name}<br>{data.Unit} {p.Step}: {p.Value:G6}"))).ToArray(),
                LineColor: Color.fromString(colour), LineDash: dotted ? StyleParam.DrawingStyle.Dot : StyleParam.DrawingStyle.Solid);
        }).ToList();
        var chart = Chart.Combine(charts);
        ChartStyle.Frame(chart, Html.Escape(title), height);
        ChartStyle.HoverText(chart);
        ChartStyle.MarkerSize(chart, 5);
        ChartStyle.StepX(chart, steps[0], steps[^1], data.Unit);
        ChartStyle.LogWhenDecades(chart, "yaxis", curves.SelectMany(c => c.Points.Select(p => p.Value)), Html.Escape(yTitle));
        StageBands.Add(chart, data.Stages, plotWidth);
        return chart;
    }
}
