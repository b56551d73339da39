using System.Globalization;
using System.Text;
using DevInterp.Analysis;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace DevInterp.Reports.Sections;

/// <summary>
/// Representation similarity across training: a step × step heatmap per layer and measure, the similarity of each
/// checkpoint to the previous one, and to the first and the last checkpoint (<c>similarity</c> table).
/// </summary>
public sealed class SimilaritySection : IReportSection
{
    /// <inheritdoc />
    public string Id => "similarity";

    /// <inheritdoc />
    public string Title => "Representation similarity";

    /// <inheritdoc />
    public SectionBody Render(ReportData data, ReportContext context)
    {
        if (data.Similarity.Count == 0) return SectionBody.Absent("the similarity table is absent or empty (devinterp analyze fills it).");
        var groups = data.Similarity.GroupBy(r => (r.Layer, r.Measure))
            .OrderBy(g => g.Key.Measure, StringComparer.Ordinal).ThenBy(g => g.Key.Layer, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.Append("<h3>Adjacent checkpoints</h3>\n");
        foreach (var measure in groups.GroupBy(g => g.Key.Measure))
        {
            var chart = Adjacent(measure.Key, measure.Select(g => (g.Key.Layer, Rows: (IReadOnlyList<SimilarityRow>)g.ToList())).ToList(), data, context);
            if (chart is not null) sb.Append(context.Chart(chart, "adjacent-similarity"));
        }
        sb.Append(Html.Note($"How much each checkpoint's representation differs from the previous checkpoint's: 1 − similarity for " +
            $"similarity measures (0 = identical up to the measure's invariances), the distance for Procrustes; plotted at the later " +
            $"{data.Unit}, on log scales. A peak is a fast change of the representation; a transition is a burst of them."));

        sb.Append("<h3>Against initialization and the final checkpoint</h3>\n");
        foreach (var measure in groups.GroupBy(g => g.Key.Measure))
        {
            var layers = measure.Select(g => (g.Key.Layer, Rows: (IReadOnlyList<SimilarityRow>)g.ToList())).ToList();
            foreach (bool toFinal in new[] { false, true })
                if (Anchored(measure.Key, layers, toFinal, data, context) is { } anchored)
                    sb.Append(context.Chart(anchored, toFinal ? "similarity-to-final" : "similarity-to-initial"));
        }
        sb.Append(Html.Note("Similarity of each checkpoint's representation to the first checkpoint's (how far the representation has " +
            "moved from initialization) and to the last one's (how close it already is to the final representation)."));

        sb.Append("<h3>Step × step</h3>\n<div class=\"grid\">\n");
        foreach (var group in groups.Take(context.Options.MaxHeatmaps))
            sb.Append(context.Chart(Heatmap(group.Key.Layer, group.Key.Measure, group.ToList(), context), "heatmap"));
        sb.Append("</div>\n");
        if (groups.Count > context.Options.MaxHeatmaps)
            sb.Append(Html.Note($"{groups.Count - context.Options.MaxHeatmaps} more heatmap(s) not drawn (at most {context.Options.MaxHeatmaps}): " +
                string.Join(", ", groups.Skip(context.Options.MaxHeatmaps).Select(g => $"{g.Key.Layer} / {g.Key.Measure}")) + ".", "warning"));
        sb.Append(Html.Note($"Each cell is 1 − similarity (or the distance) between the representations at two checkpoints (rows and columns " +
            $"in checkpoint order, so equal spacing per checkpoint, not per {data.Unit}), on a log colour scale when the values span decades; " +
            "the matrix is mirrored, blank cells were not computed or are undefined. Dark blocks along the diagonal are periods of stable " +
            "representation; their edges are candidate stage boundaries."));
        return new SectionBody(true, sb.ToString());
    }

    private static GenericChart Heatmap(string layer, string measure, IReadOnlyList<SimilarityRow> rows, ReportContext context)
    {
        var steps = rows.SelectMany(r => new[] { r.StepA, r.StepB }).Distinct().Order().ToList();
        var index = steps.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
        bool distance = SimilarityMatrices.IsDistance(measure);
        // What is drawn: the change between two checkpoints (1 − similarity, or the distance), on a log colour scale when it
        // spans decades, so that 0.999 and 0.99999 differ as much as 0.9 and 0.99 (a linear scale shows only the largest).
        var changes = rows.Where(r => double.IsFinite(r.Value) && r.StepA != r.StepB).Select(r => distance ? r.Value : 1 - r.Value).ToList();
        var positive = changes.Where(v => v > 0).ToList();
        bool log = positive.Count > 0 && ValueScale.SpansDecades(positive);
        double floor = positive.Count > 0 ? positive.Min() : 1;
        double Cell(double value)
        {
            double change = distance ? value : 1 - value;
            return log ? Math.Log10(Math.Max(change, floor)) : change;
        }
        var z = steps.Select(_ => new double?[steps.Count]).ToArray();
        // Stored pairs first (row step_a, column step_b); a pair stored in one order only is mirrored into the empty cell.
        foreach (var r in rows.Where(r => double.IsFinite(r.Value))) z[index[r.StepA]][index[r.StepB]] = context.Round(Cell(r.Value));
        foreach (var r in rows.Where(r => double.IsFinite(r.Value))) z[index[r.StepB]][index[r.StepA]] ??= context.Round(Cell(r.Value));
        var labels = steps.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray();
        var zero = steps.Select(_ => steps.Select(_ => 0.0).ToArray()).ToArray();
        var chart = Chart.Heatmap<double, string, string, string>(zero, X: labels, Y: labels, Name: Html.Escape(measure),
            ColorScale: StyleParam.Colorscale.Viridis);
        var trace = chart.GetTraces().Single();
        trace.SetProperty("z", z); // nullable cells: null is a blank cell in plotly.js
        string what = distance ? measure : $"1 − {measure}";
        if (log)
        {
            var logs = positive.Select(Math.Log10).Order().ToList();
            int lo = (int)Math.Ceiling(logs[(int)(0.05 * (logs.Count - 1))]), hi = (int)Math.Floor(logs[^1]);
            int[] ticks = hi >= lo ? Enumerable.Range(lo, hi - lo + 1).ToArray() : [hi];
            trace.SetProperty("colorbar", new Dictionary<string, object>
            {
                ["title"] = new Dictionary<string, object> { ["text"] = Html.Escape(what) }, ["tickmode"] = "array",
                ["tickvals"] = ticks.Select(t => (double)t).ToArray(), ["ticktext"] = ticks.Select(t => t == 0 ? "1" : $"1e{t}").ToArray(),
            });
            trace.SetProperty("hovertemplate", $"%{{y}} vs %{{x}}: {Html.Escape(what)} = 10^%{{z:.2f}}<extra></extra>");
            // The colours span the bulk of the values (from their 5th percentile): a few rounding-level cells (1e-14)
            // would otherwise take most of the scale; anything lower is drawn in the darkest colour.
            var sorted = positive.Select(Math.Log10).Order().ToList();
            trace.SetProperty("zmin", context.Round(sorted[(int)(0.05 * (sorted.Count - 1))]));
            trace.SetProperty("zmax", context.Round(sorted[^1]));
        }
        else
        {
            trace.SetProperty("colorbar", new Dictionary<string, object> { ["title"] = new Dictionary<string, object> { ["text"] = Html.Escape(what) } });
            trace.SetProperty("hovertemplate", $"%{{y}} vs %{{x}}: {Html.Escape(what)} = %{{z:.4g}}<extra></extra>");
        }
        ChartStyle.Frame(chart, Html.Escape($"{layer} — {what}{(log ? " (log colour)" : "")}"), 440, legend: false);
        ChartStyle.AxisTitle(chart, "xaxis", "checkpoint");
        ChartStyle.AxisTitle(chart, "yaxis", "checkpoint");
        foreach (string axis in new[] { "xaxis", "yaxis" })
        {
            var a = ChartStyle.Axis(chart, axis);
            a.SetProperty("type", "category");
            a.SetProperty("nticks", 12);
        }
        return chart;
    }

    // One value per unordered pair of steps: the table may hold a pair in one order or in both (the run analysis writes
    // the full square matrix); the first finite value wins.
    private static Dictionary<(long, long), double> PairValues(IReadOnlyList<SimilarityRow> rows)
    {
        var value = new Dictionary<(long, long), double>();
        foreach (var r in rows)
        {
            var key = (Math.Min(r.StepA, r.StepB), Math.Max(r.StepA, r.StepB));
            if (!value.TryGetValue(key, out double v) || !double.IsFinite(v)) value[key] = r.Value;
        }
        return value;
    }

    private static GenericChart? Anchored(string measure, IReadOnlyList<(string Layer, IReadOnlyList<SimilarityRow> Rows)> layers,
        bool toFinal, ReportData data, ReportContext context) =>
        Curves(measure, toFinal ? $"{measure} to the final checkpoint" : $"{measure} to initialization", layers, data, context, (layer, rows) =>
        {
            var steps = Steps(rows);
            if (steps.Count < 2) return [];
            long anchor = toFinal ? steps[^1] : steps[0];
            var value = PairValues(rows);
            return steps.Where(s => s != anchor)
                .Select(s => new CurvePoint(s, value.TryGetValue((Math.Min(s, anchor), Math.Max(s, anchor)), out double v) ? v : double.NaN,
                    string.Create(CultureInfo.InvariantCulture, $"{layer}: {data.Unit} {s} vs {anchor}")))
                .ToList();
        });

    // The change from the previous checkpoint (1 − similarity, or the distance), at the later step of each pair: a log
    // axis shows the dynamics that a similarity axis from 0.97 to 0.999999 flattens.
    private static GenericChart? Adjacent(string measure, IReadOnlyList<(string Layer, IReadOnlyList<SimilarityRow> Rows)> layers, ReportData data, ReportContext context)
    {
        bool distance = SimilarityMatrices.IsDistance(measure);
        string what = distance ? measure : $"1 − {measure}";
        return Curves(what, $"{what} to the previous checkpoint", layers, data, context, (layer, rows) =>
        {
            var steps = Steps(rows);
            var value = PairValues(rows);
            return steps.Zip(steps.Skip(1))
                .Select(p => new CurvePoint(p.Second, value.TryGetValue((p.First, p.Second), out double v) ? (distance ? v : 1 - v) : double.NaN,
                    string.Create(CultureInfo.InvariantCulture, $"{layer}: {data.Unit} {p.First} → {p.Second}")))
                .Where(p => !(p.Value <= 0))
                .ToList();
        });
    }

    private sealed record CurvePoint(long Step, double Value, string Hover);

    private static List<long> Steps(IReadOnlyList<SimilarityRow> rows) => rows.SelectMany(r => new[] { r.StepA, r.StepB }).Distinct().Order().ToList();

    // One line per layer over the steps, with the stages shaded; null when no layer has a finite point.
    private static GenericChart? Curves(string measure, string title, IReadOnlyList<(string Layer, IReadOnlyList<SimilarityRow> Rows)> layers,
        ReportData data, ReportContext context, Func<string, IReadOnlyList<SimilarityRow>, List<CurvePoint>> pointsOf)
    {
        var charts = new List<GenericChart>();
        var values = new List<double>();
        long min = long.MaxValue, max = 0;
        foreach (var (layer, rows) in layers)
        {
            var points = pointsOf(layer, rows).Where(p => double.IsFinite(p.Value)).ToList();
            if (points.Count == 0) continue;
            values.AddRange(points.Select(p => p.Value));
            var steps = Steps(rows);
            min = Math.Min(min, steps[0]);
            max = Math.Max(max, steps[^1]);
            var line = Chart.Line<double, double, string>(points.Select(p => StepAxis.X(p.Step)), points.Select(p => context.Round(p.Value)),
                ShowMarkers: true, Name: Html.Escape(layer),
                MultiText: points.Select(p => Html.Escape(string.Create(CultureInfo.InvariantCulture, $"{p.Hover}: {p.Value:G5}"))).ToArray());
            ChartStyle.HoverText(line);
            charts.Add(line);
        }
        if (charts.Count == 0) return null;
        var chart = Chart.Combine(charts);
        ChartStyle.Frame(chart, Html.Escape(title), 380);
        ChartStyle.StepX(chart, min, max, data.Unit);
        ChartStyle.LogWhenDecades(chart, "yaxis", values, Html.Escape(measure));
        StageBands.Add(chart, data.Stages);
        return chart;
    }
}
