using System.Text.Json.Nodes;
using Plotly.NET;

namespace DevInterp.Reports;

/// <summary>
/// Plotly.NET's default layout template (fonts, colours, grid), serialized once per page instead of once per chart:
/// it is the bulk of a small chart's JSON and most of the time Plotly.NET spends serializing one.
/// </summary>
internal static class ChartTemplate
{
    private static readonly Lazy<string> Text = new(() =>
    {
        var probe = Plotly.NET.CSharp.Chart.Line<double, double, string>([0.0], [0.0]);
        var figure = JsonNode.Parse(GenericChart.toFigureJson(probe))!;
        var template = figure["layout"]?["template"] ?? throw new InvalidOperationException("Plotly.NET's default chart has no layout template");
        return template.ToJsonString().Replace("<", "\\u003c", StringComparison.Ordinal);
    });

    /// <summary>The template as JSON.</summary>
    public static string Json => Text.Value;

    /// <summary>
    /// Removes the template from <paramref name="chart"/>'s layout when it is Plotly.NET's default (the page applies the
    /// shared copy); returns whether it did.
    /// </summary>
    public static bool Detach(GenericChart chart)
    {
        var layout = Plotly.NET.CSharp.GenericChartExtensions.GetLayout(chart);
        var template = layout.TryGetPropertyValue("template");
        // Every chart holds its own copy of the default template: compare by value (Plotly.NET's structural equality).
        if (template is null || !Equals(template.Value, Defaults.DefaultTemplate)) return false;
        layout.RemoveProperty("template");
        return true;
    }
}
