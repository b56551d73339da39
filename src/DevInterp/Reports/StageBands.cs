using System.Globalization;
using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace DevInterp.Reports;

/// <summary>
/// The stages behind a chart on a log step axis: alternating bands, a dotted line at each boundary, and a label per stage
/// above the plot that never overlaps another. Labels are laid out in advance from the axis range
/// (<see cref="StepAxis.Range"/>) and the plot's width: "stage k" when it fits above its band, else "k"; a label that
/// would touch its left neighbour moves up a row (up to three rows); one that fits nowhere is left out (the stage
/// table names every stage). Shapes take data coordinates on a log axis; annotations take log10 of them.
/// </summary>
public static class StageBands
{
    /// <summary>The plot width of a full-width chart (the page's 1240 px column minus the chart margins).</summary>
    public const double FullWidth = 1080;

    /// <summary>The plot width of a chart in the two-column grid.</summary>
    public const double HalfWidth = 490;

    private const double CharWidth = 6.2;  // px per character at font size 10
    private const double Gap = 6;          // px between two labels of a row
    private const int Rows = 3;
    private const double RowHeight = 14;   // px between label rows

    /// <summary>The top margin (px) a chart needs for its stage labels.</summary>
    public static int TopMargin(IReadOnlyList<StageSummaryRow> stages) => stages.Count < 2 ? 50 : 50 + (int)(Rows * RowHeight);

    /// <summary>Adds the bands, boundary lines and labels of <paramref name="stages"/> to <paramref name="chart"/>.</summary>
    /// <param name="chart">A chart whose x axis is a step axis (<see cref="ChartStyle.StepX"/>).</param>
    /// <param name="stages">The stage table.</param>
    /// <param name="plotWidth">The plot area's width in px (<see cref="FullWidth"/> or <see cref="HalfWidth"/>).</param>
    /// <param name="labels">Draw the labels (false for the lower panels of a stacked figure).</param>
    public static void Add(GenericChart chart, IReadOnlyList<StageSummaryRow> stages, double plotWidth = FullWidth, bool labels = true)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count < 2) return;
        var ordered = stages.OrderBy(s => s.Stage).ToList();
        var shapes = new List<object>();
        foreach (var s in ordered)
        {
            double x0 = StepAxis.X(s.StartStep), x1 = StepAxis.X(s.EndStep);
            shapes.Add(new Dictionary<string, object>
            {
                ["type"] = "rect", ["xref"] = "x", ["yref"] = "paper", ["x0"] = x0, ["x1"] = x1, ["y0"] = 0, ["y1"] = 1,
                ["fillcolor"] = s.Stage % 2 == 0 ? "rgba(120, 120, 120, 0.10)" : "rgba(255, 190, 40, 0.16)",
                ["line"] = new Dictionary<string, object> { ["width"] = 0 }, ["layer"] = "below",
            });
            if (s.Stage > 0)
            {
                shapes.Add(new Dictionary<string, object>
                {
                    ["type"] = "line", ["xref"] = "x", ["yref"] = "paper", ["x0"] = x0, ["x1"] = x0, ["y0"] = 0, ["y1"] = 1,
                    ["line"] = new Dictionary<string, object> { ["width"] = 1, ["color"] = "rgba(70, 70, 70, 0.55)", ["dash"] = "dot" },
                });
            }
        }
        ChartStyle.Shapes(chart, shapes);
        if (!labels) return;
        // Room above the plot for the label rows.
        var layout = chart.GetLayout();
        var margin = layout.TryGetTypedPropertyValue<Dictionary<string, object>>("margin")?.Value ?? new Dictionary<string, object> { ["l"] = 70, ["r"] = 30, ["b"] = 60 };
        margin["t"] = TopMargin(stages);
        layout.SetProperty("margin", margin);
        var range = ChartStyle.Axis(chart, "xaxis").TryGetTypedPropertyValue<double[]>("range")?.Value;
        ChartStyle.Annotations(chart, Layout(ordered, range, plotWidth).Select(l => (object)new Dictionary<string, object>
        {
            ["xref"] = "x", ["yref"] = "paper", ["x"] = l.Center, ["y"] = 1.0, ["yanchor"] = "bottom", ["yshift"] = 2 + l.Row * RowHeight,
            ["showarrow"] = false, ["text"] = l.Text, ["font"] = new Dictionary<string, object> { ["size"] = 10, ["color"] = "#333" },
        }));
    }

    /// <summary>A stage label: its text, centre (log10 of the plotted step) and row (0 = just above the plot).</summary>
    public sealed record Label(int Stage, string Text, double Center, int Row, double Left, double Right);

    /// <summary>
    /// The labels of <paramref name="stages"/> on an x axis spanning <paramref name="range"/> (log10 units; null for the
    /// stages' own span) over <paramref name="plotWidth"/> px. No two labels of a row overlap.
    /// </summary>
    public static IReadOnlyList<Label> Layout(IReadOnlyList<StageSummaryRow> stages, double[]? range, double plotWidth)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0) return [];
        double lo = range?[0] ?? Math.Log10(StepAxis.X(stages.Min(s => s.StartStep)));
        double hi = range?[1] ?? Math.Log10(StepAxis.X(stages.Max(s => s.EndStep)));
        double pxPerUnit = plotWidth / Math.Max(hi - lo, 1e-9);
        double Px(double log10) => (log10 - lo) * pxPerUnit;
        var rowRight = Enumerable.Repeat(double.NegativeInfinity, Rows).ToArray();
        var result = new List<Label>();
        foreach (var s in stages.OrderBy(s => s.Stage))
        {
            double a = Math.Log10(StepAxis.X(s.StartStep)), b = Math.Log10(StepAxis.X(Math.Max(s.EndStep, s.StartStep)));
            double center = (a + b) / 2, width = Px(b) - Px(a);
            string full = string.Create(CultureInfo.InvariantCulture, $"stage {s.Stage}"), shortText = s.Stage.ToString(CultureInfo.InvariantCulture);
            string text = full.Length * CharWidth + Gap <= width ? full : shortText;
            double half = text.Length * CharWidth / 2;
            double left = Px(center) - half, right = Px(center) + half;
            int row = Enumerable.Range(0, Rows).FirstOrDefault(r => left >= rowRight[r] + Gap, -1);
            if (row < 0) continue;
            rowRight[row] = right;
            result.Add(new Label(s.Stage, text, center, row, left, right));
        }
        return result;
    }
}
