using System.Text;
using Plotly.NET;

namespace DevInterp.Reports;

/// <summary>
/// Shared state while one report is rendered: the options and the charts placed so far. Charts get sequential ids
/// (<c>chart-1</c>, <c>chart-2</c>...), so the same store gives the same page.
/// </summary>
public sealed class ReportContext
{
    private readonly List<ChartInfo> _charts = [];

    /// <summary>Creates a context with <paramref name="options"/>.</summary>
    public ReportContext(ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The report's options.</summary>
    public ReportOptions Options { get; }

    /// <summary>Charts placed so far, in page order.</summary>
    public IReadOnlyList<ChartInfo> Charts => _charts;

    /// <summary>
    /// The HTML that draws <paramref name="chart"/>: an empty div and a script that hands Plotly.NET's figure JSON to
    /// plotly.js (inlined once in the page head). Plotly.NET's default template is taken off the chart (the page holds
    /// one shared copy), so the chart object is changed: build a fresh chart per output.
    /// </summary>
    /// <param name="chart">The figure.</param>
    /// <param name="kind">A short name of what it shows (<c>llc</c>, <c>trace</c>, <c>heatmap</c>...), kept in <c>data-kind</c>.</param>
    /// <param name="caption">Text under the chart, or null.</param>
    public string Chart(GenericChart chart, string kind, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(chart);
        string id = $"chart-{_charts.Count + 1}";
        bool shared = ChartTemplate.Detach(chart);
        // "<" only occurs inside JSON strings, where \u003c is the same character: nothing in the data can close the script.
        string json = GenericChart.toFigureJson(chart).Replace("<", "\\u003c", StringComparison.Ordinal);
        _charts.Add(new ChartInfo(id, kind, json.Length));
        var sb = new StringBuilder();
        sb.Append("<figure class=\"chart-box\"><div class=\"chart\" id=\"").Append(id).Append("\" data-kind=\"").Append(Html.Escape(kind)).Append("\"></div>");
        sb.Append("<script>devinterpPlot(\"").Append(id).Append("\", ").Append(json).Append(shared ? ", true" : ", false").Append(");</script>");
        if (caption is not null) sb.Append("<figcaption>").Append(Html.Escape(caption)).Append("</figcaption>");
        sb.Append("</figure>\n");
        return sb.ToString();
    }

    /// <summary>A value rounded to <see cref="ReportOptions.SignificantDigits"/> for chart data (keeps the page small).</summary>
    public double Round(double value)
    {
        if (!double.IsFinite(value) || value == 0) return value;
        int digits = Options.SignificantDigits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(value)));
        if (digits is >= 0 and <= 15) return Math.Round(value, digits);
        double scale = Math.Pow(10, digits);
        return Math.Round(value * scale) / scale;
    }
}

/// <summary>A chart placed in a report.</summary>
/// <param name="Id">Its element id.</param>
/// <param name="Kind">What it shows.</param>
/// <param name="JsonChars">Size of its figure JSON, characters.</param>
public sealed record ChartInfo(string Id, string Kind, int JsonChars);
