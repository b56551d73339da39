using DevInterp.Storage;
using Plotly.NET;
using Plotly.NET.CSharp;
using Plotly.NET.LayoutObjects;

namespace DevInterp.Reports;

/// <summary>
/// Layout settings the C# wrapper of Plotly.NET does not expose (tick labels, shapes, hover templates, autosized
/// width), set on the chart's own layout and trace objects (Plotly.NET's dynamic objects), so the figure stays
/// Plotly.NET's. Every call mutates the chart it is given: build a fresh chart per output.
/// </summary>
internal static class ChartStyle
{
    public const string Trusted = "#1f77b4";
    public const string Doubtful = "#ff7f0e";
    public const string Untrusted = "#d62728";
    public const string Neutral = "#555555";

    /// <summary>Title, height, margins; the width follows the page (no fixed width).</summary>
    public static GenericChart Frame(GenericChart chart, string title, int height = 420, bool legend = true)
    {
        var layout = chart.GetLayout();
        layout.RemoveProperty("width");
        layout.SetProperty("autosize", true);
        layout.SetProperty("height", height);
        layout.SetProperty("title", new Dictionary<string, object> { ["text"] = title, ["font"] = new Dictionary<string, object> { ["size"] = 15 } });
        // The legend goes under the x axis title: 55 px below the plot area, whatever the chart's height.
        int bottom = legend ? 95 : 60;
        layout.SetProperty("margin", new Dictionary<string, object> { ["l"] = 70, ["r"] = 30, ["t"] = 50, ["b"] = bottom });
        layout.SetProperty("showlegend", legend);
        double plot = Math.Max(100, height - 50 - bottom);
        layout.SetProperty("legend", new Dictionary<string, object> { ["orientation"] = "h", ["y"] = -55 / plot, ["yanchor"] = "top" });
        return chart;
    }

    /// <summary>The layout's axis object (<c>xaxis</c>, <c>yaxis</c>...), created when absent.</summary>
    public static LinearAxis Axis(GenericChart chart, string name)
    {
        var layout = chart.GetLayout();
        var existing = layout.TryGetTypedPropertyValue<LinearAxis>(name);
        if (existing is not null) return existing.Value;
        var axis = new LinearAxis();
        layout.SetProperty(name, axis);
        return axis;
    }

    /// <summary>An axis title and, optionally, a log scale.</summary>
    public static void AxisTitle(GenericChart chart, string axis, string title, bool log = false)
    {
        var a = Axis(chart, axis);
        a.SetProperty("title", new Dictionary<string, object> { ["text"] = title });
        if (log) a.SetProperty("type", "log");
    }

    /// <summary>
    /// The x axis as steps (or epochs) on a log scale, plotted at step + 1 and labelled with real steps
    /// (<see cref="StepAxis"/>), over a fixed range (the steps' plus 3% on each side) so that stage labels can be laid out
    /// in advance (<see cref="StageBands"/>).
    /// </summary>
    public static void StepX(GenericChart chart, long minStep, long maxStep, string unit = "step", string axis = "xaxis", bool title = true)
    {
        var (values, labels) = StepAxis.Ticks(minStep, maxStep);
        var a = Axis(chart, axis);
        a.SetProperty("type", "log");
        if (title) a.SetProperty("title", new Dictionary<string, object> { ["text"] = $"{unit} (log scale)" });
        a.SetProperty("tickmode", "array");
        a.SetProperty("tickvals", values);
        a.SetProperty("ticktext", labels);
        a.SetProperty("range", StepAxis.Range(minStep, maxStep));
    }

    /// <summary>A y axis on a log scale when <paramref name="values"/> are all positive and span more than a factor 30.</summary>
    public static bool LogWhenDecades(GenericChart chart, string axis, IEnumerable<double> values, string title)
    {
        bool log = ValueScale.SpansDecades(values);
        AxisTitle(chart, axis, log ? title + " (log scale)" : title, log);
        if (log) Axis(chart, axis).SetProperty("exponentformat", "power");
        return log;
    }

    /// <summary>Sets a property on every trace of the chart.</summary>
    public static void OnTraces(GenericChart chart, string property, object value)
    {
        foreach (var trace in chart.GetTraces()) trace.SetProperty(property, value);
    }

    /// <summary>Sets the marker size (and an outline colour) on every trace, keeping Plotly.NET's symbol and colour.</summary>
    public static void MarkerSize(GenericChart chart, int size, string? outline = null)
    {
        foreach (var trace in chart.GetTraces())
        {
            var marker = trace.TryGetTypedPropertyValue<Plotly.NET.TraceObjects.Marker>("marker")?.Value ?? new Plotly.NET.TraceObjects.Marker();
            marker.SetProperty("size", size);
            if (outline is not null) marker.SetProperty("line", new Dictionary<string, object> { ["width"] = 1, ["color"] = outline });
            trace.SetProperty("marker", marker);
        }
    }

    /// <summary>Hover shows only the traces' text (the real step, not the plotted step + 1).</summary>
    public static void HoverText(GenericChart chart) => OnTraces(chart, "hoverinfo", "text");

    /// <summary>Adds layout shapes.</summary>
    public static void Shapes(GenericChart chart, IEnumerable<object> shapes) => Append(chart, "shapes", shapes);

    /// <summary>Adds layout annotations.</summary>
    public static void Annotations(GenericChart chart, IEnumerable<object> annotations) => Append(chart, "annotations", annotations);

    private static void Append(GenericChart chart, string property, IEnumerable<object> items)
    {
        var layout = chart.GetLayout();
        var list = layout.TryGetTypedPropertyValue<List<object>>(property)?.Value ?? [];
        list.AddRange(items);
        layout.SetProperty(property, list);
    }

}
