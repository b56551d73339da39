using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DevInterp.Tests.Reports;

/// <summary>A chart placed in a report page: its div, its kind and the figure handed to plotly.js.</summary>
internal sealed record PlacedChart(string Id, string Kind, JsonObject Figure, bool SharedTemplate)
{
    public JsonArray Data => Figure["data"]!.AsArray();

    public JsonObject Layout => Figure["layout"]!.AsObject();

    public JsonObject Trace(string namePrefix) =>
        Data.Select(t => t!.AsObject()).SingleOrDefault(t => ((string?)t["name"])?.StartsWith(namePrefix, StringComparison.Ordinal) == true)
        ?? throw new Xunit.Sdk.XunitException($"{Id} ({Kind}) has no trace named '{namePrefix}…': {string.Join(", ", Data.Select(t => (string?)t!["name"]))}");

    public static double[] Numbers(JsonNode? array) => array!.AsArray().Select(v => v is null ? double.NaN : (double)v).ToArray();
}

/// <summary>Reads a rendered report page back: its charts, its sections, the page without the inlined plotly.js.</summary>
internal static partial class ReportHtml
{
    [GeneratedRegex("""<div class="chart" id="(?<id>chart-\d+)" data-kind="(?<kind>[^"]*)"></div><script>devinterpPlot\("\k<id>", (?<json>.*?), (?<shared>true|false)\);</script>""")]
    private static partial Regex ChartCall();

    [GeneratedRegex("""<script id="plotly-js"[^>]*>.*?</script>""", RegexOptions.Singleline)]
    private static partial Regex PlotlyScript();

    public static IReadOnlyList<PlacedChart> Charts(string html) => ChartCall().Matches(html)
        .Select(m => new PlacedChart(m.Groups["id"].Value, m.Groups["kind"].Value, JsonNode.Parse(m.Groups["json"].Value)!.AsObject(),
            m.Groups["shared"].Value == "true"))
        .ToList();

    public static PlacedChart Chart(string html, string kind) => Charts(html).Single(c => c.Kind == kind);

    /// <summary>The page with the plotly.js element removed: everything DevInterp itself wrote.</summary>
    public static string WithoutPlotly(string html)
    {
        var matches = PlotlyScript().Matches(html);
        Assert.Single(matches);
        return html.Remove(matches[0].Index, matches[0].Length);
    }

    /// <summary>The text of one <c>&lt;section&gt;</c>, from its opening tag to its closing tag.</summary>
    public static string Section(string html, string id)
    {
        int start = html.IndexOf($"<section id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"the page has no section '{id}'");
        int end = html.IndexOf("</section>", start, StringComparison.Ordinal);
        return html[start..end];
    }

    public static int Count(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
