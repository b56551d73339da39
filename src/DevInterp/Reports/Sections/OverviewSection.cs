using System.Globalization;
using System.Text;
using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>
/// The run's story in one figure: stacked panels over one step axis — the loss (and accuracy), the LLC, and how much the
/// representation changed since the previous checkpoint (1 − CKA, per layer) — with the stages shaded across all of
/// them and labelled once at the top; under it, what the LLC values mean with the settings used. Panels whose data the
/// analysis does not hold are left out; without any, so is the section.
/// </summary>
public sealed class OverviewSection : IReportSection
{
    /// <inheritdoc />
    public string Id => "overview";

    /// <inheritdoc />
    public string Title => "At a glance";

    private sealed record Panel(string Title, List<GenericChart> Traces, bool Log, string Note);

    private const int PanelHeight = 190;

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        var panels = new List<Panel>();
        if (LossPanel(data, context) is { } loss) panels.Add(loss);
        if (AccuracyPanel(data, context) is { } accuracy) panels.Add(accuracy);
        if (LlcPanel(data, context) is { } llc) panels.Add(llc);
        if (SimilarityPanel(data, context) is { } similarity) panels.Add(similarity);
        if (panels.Count == 0) return SectionBody.Absent("the analysis holds no loss, accuracy, LLC or similarity.");

        var steps = data.AllSteps;
        var traces = new List<GenericChart>();
        for (int i = 0; i < panels.Count; i++)
        {
            string yRef = i == 0 ? "y" : $"y{i + 1}";
            foreach (var chart in panels[i].Traces)
            {
                foreach (var trace in chart.GetTraces()) trace.SetProperty("yaxis", yRef);
                traces.Add(chart);
            }
        }
        var figure = Chart.Combine(traces);
        ChartStyle.Frame(figure, "The run at a glance", 90 + PanelHeight * panels.Count);
        ChartStyle.StepX(figure, steps[0], steps[^1], data.Unit);
        const double gap = 0.045;
        double share = 1.0 / panels.Count;
        for (int i = 0; i < panels.Count; i++)
        {
            string name = i == 0 ? "yaxis" : $"yaxis{i + 1}";
            var axis = ChartStyle.Axis(figure, name);
            double top = 1 - i * share, bottom = 1 - (i + 1) * share + (i + 1 < panels.Count ? gap : 0);
            axis.SetProperty("domain", new[] { Math.Max(0, bottom), top });
            axis.SetProperty("anchor", "x");
            axis.SetProperty("title", new Dictionary<string, object> { ["text"] = panels[i].Title, ["font"] = new Dictionary<string, object> { ["size"] = 12 } });
            if (panels[i].Log) { axis.SetProperty("type", "log"); axis.SetProperty("exponentformat", "power"); }
        }
        // The step axis sits under the lowest panel.
        ChartStyle.Axis(figure, "xaxis").SetProperty("anchor", panels.Count == 1 ? "y" : $"y{panels.Count}");
        StageBands.Add(figure, data.Stages);

        var sb = new StringBuilder();
        sb.Append(context.Chart(figure, "overview"));
        var notes = panels.Select(p => p.Note).Where(n => n.Length > 0).ToList();
        if (data.Stages.Count > 1)
            notes.Add($"Shaded bands: the {data.Stages.Count} stages of the stage table below, labelled at the top.");
        notes.Add($"x: {data.Unit} on a log scale, plotted at {data.Unit} + 1 so that {data.Unit} 0 is shown.");
        sb.Append(Html.Note(string.Join(" ", notes)));
        if (LlcMeaning.Describe(data.Llc) is { } meaning) sb.Append(Html.Note(meaning, "note llc-meaning"));
        return new SectionBody(true, sb.ToString());
    }

    private static GenericChart Line(RunCurve curve, string name, ReportContext context, string colour, bool dotted)
    {
        var line = Chart.Line<double, double, string>(curve.Points.Select(p => StepAxis.X(p.Step)), curve.Points.Select(p => context.Round(p.Value)),
            ShowMarkers: curve.Points.Count <= 60, Name: Html.Escape(name),
            MultiText: curve.Points.Select(p => Html.Escape(string.Create(CultureInfo.InvariantCulture, $"{name}<br>{p.Step}: {p.Value:G5}"))).ToArray(),
            LineColor: Color.fromString(colour), LineDash: dotted ? StyleParam.DrawingStyle.Dot : StyleParam.DrawingStyle.Solid);
        ChartStyle.HoverText(line);
        ChartStyle.MarkerSize(line, 5);
        return line;
    }

    private static Panel? LossPanel(ReportData data, ReportContext context)
    {
        var losses = RunCurves.Losses(data);
        if (losses.Count == 0) return null;
        var traces = losses.Select((c, i) => { var (colour, dotted) = RunCurves.Style(c.Name, i); return Line(c, c.Name, context, colour, dotted); }).ToList();
        bool log = ValueScale.SpansDecades(losses.SelectMany(c => c.Points.Select(p => p.Value)));
        string note = losses.Count == 1 && losses[0].Source.StartsWith("L(w*)", StringComparison.Ordinal)
            ? "Loss: the checkpoints carry no loss metric; this is the training loss L(w*) the LLC estimator computed at each checkpoint."
            : "";
        return new Panel(log ? "loss (log)" : "loss", traces, log, note);
    }

    private static Panel? AccuracyPanel(ReportData data, ReportContext context)
    {
        var accuracies = RunCurves.Accuracies(data);
        if (accuracies.Count == 0) return null;
        var traces = accuracies.Select((c, i) => { var (colour, dotted) = RunCurves.Style(c.Name, i); return Line(c, c.Name, context, colour, dotted); }).ToList();
        return new Panel("accuracy", traces, false, "");
    }

    private static Panel? LlcPanel(ReportData data, ReportContext context)
    {
        var usable = data.Llc.Where(r => r.Verdict != LlcVerdict.Untrusted && double.IsFinite(r.Mean)).OrderBy(r => r.Step).ToList();
        int left = data.Llc.Count - usable.Count;
        if (usable.Count == 0)
            return null;
        var x = usable.Select(r => StepAxis.X(r.Step)).ToArray();
        var mean = usable.Select(r => context.Round(r.Mean)).ToArray();
        var traces = new List<GenericChart>();
        var line = Chart.Line<double, double, string>(x, mean, ShowMarkers: false, Name: "λ̂", LineColor: Color.fromString(ChartStyle.Neutral));
        ChartStyle.OnTraces(line, "hoverinfo", "skip");
        traces.Add(line);
        foreach (var (verdict, symbol, colour, size) in new[]
                 {
                     (LlcVerdict.Trusted, StyleParam.MarkerSymbol.Circle, ChartStyle.Trusted, 7),
                     (LlcVerdict.Doubtful, StyleParam.MarkerSymbol.Diamond, ChartStyle.Doubtful, 9),
                 })
        {
            var points = usable.Where(r => r.Verdict == verdict).ToList();
            if (points.Count == 0) continue;
            var markers = Chart.Point<double, double, string>(points.Select(r => StepAxis.X(r.Step)), points.Select(r => context.Round(r.Mean)),
                Name: $"λ̂ {StoreEnums.Format(verdict)} ({points.Count})", MarkerSymbol: symbol, MarkerColor: Color.fromString(colour),
                MultiText: points.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Step}: λ̂ {r.Mean:G4} ± {r.Std:G2}<br>{StoreEnums.Format(r.Verdict)}")).ToArray());
            ChartStyle.MarkerSize(markers, size, outline: "#222");
            ChartStyle.HoverText(markers);
            traces.Add(markers);
        }
        bool log = ValueScale.SpansDecades(usable.Select(r => r.Mean));
        string note = left > 0
            ? $"LLC: {left} untrusted or undefined estimate(s) are not drawn here (the LLC section shows every estimate)."
            : "";
        return new Panel(log ? "LLC λ̂ (log)" : "LLC λ̂", traces, log, note);
    }

    private static Panel? SimilarityPanel(ReportData data, ReportContext context)
    {
        var matrices = SimilarityMatrices.From(data.Similarity);
        var traces = new List<GenericChart>();
        var values = new List<double>();
        string? measure = null;
        int k = 0;
        foreach (var layer in matrices.GroupBy(m => m.Layer).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var chosen = layer.FirstOrDefault(m => m.Measure == "linear_cka") ?? layer.OrderBy(m => m.Measure, StringComparer.Ordinal).First();
            measure ??= chosen.Measure;
            var change = chosen.AdjacentChange();
            var points = change.Steps.Zip(change.Values).Where(p => double.IsFinite(p.Second) && p.Second > 0).ToList();
            if (points.Count == 0) continue;
            values.AddRange(points.Select(p => p.Second));
            var line = Chart.Line<double, double, string>(points.Select(p => StepAxis.X(p.First)), points.Select(p => context.Round(p.Second)),
                ShowMarkers: points.Count <= 60, Name: Html.Escape(layer.Key),
                MultiText: points.Select(p => Html.Escape(string.Create(CultureInfo.InvariantCulture, $"{layer.Key}<br>{p.First}: {p.Second:G3}"))).ToArray(),
                LineColor: Color.fromString(LayerColours[k++ % LayerColours.Length]));
            ChartStyle.HoverText(line);
            ChartStyle.MarkerSize(line, 4);
            traces.Add(line);
        }
        if (traces.Count == 0 || measure is null) return null;
        bool distance = SimilarityMatrices.IsDistance(measure);
        string title = distance ? $"{measure} to previous" : $"1 − {measure.Replace("_", " ", StringComparison.Ordinal)} to previous";
        return new Panel(title, traces, ValueScale.SpansDecades(values) || values.All(v => v > 0), "");
    }

    private static readonly string[] LayerColours = ["#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e", "#1f77b4", "#2ca02c"];
}
