using System.Text;

namespace DevInterp.Reports;

/// <summary>
/// Assembles the page: head with a Content-Security-Policy that forbids every network fetch, the inline stylesheet,
/// plotly.js inlined once, then a table of contents and the sections.
/// </summary>
internal static class ReportPage
{
    // Nothing may be fetched: no default source, inline scripts and styles only, images only from data:/blob: (plotly's
    // "download as PNG" button). A request the page tried anyway would be blocked and logged as a console error.
    private const string Policy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:";

    private const string Style = """
        :root { color-scheme: light; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2330; background: #ffffff; margin: 0; }
        main { max-width: 1240px; margin: 0 auto; padding: 12px 28px 48px; }
        h1 { font-size: 1.6em; margin: 18px 0 4px; }
        h2 { font-size: 1.3em; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d9dee8; }
        h3 { font-size: 1.05em; margin: 22px 0 8px; }
        nav ol { columns: 2; margin: 8px 0 0; padding-left: 22px; }
        nav .absent-link { color: #8a93a5; }
        table { border-collapse: collapse; margin: 8px 0 12px; font-size: 0.86em; }
        th, td { border: 1px solid #d9dee8; padding: 3px 7px; text-align: left; vertical-align: top; }
        thead th { background: #eef1f6; }
        table.kv th { background: #f5f7fa; white-space: nowrap; }
        table.diagnostics td:last-child, table.calibration td:last-child { max-width: 460px; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; word-break: break-all; }
        .note { color: #4a5366; font-size: 0.9em; max-width: 980px; }
        .absent { color: #6b7385; font-style: italic; }
        .warning { color: #8a4b00; font-size: 0.9em; }
        .bad { color: #b3261e; font-weight: 600; }
        .verdict { padding: 0 6px; border-radius: 8px; font-weight: 600; }
        .verdict.trusted { background: #dcebf7; color: #174a7c; }
        .verdict.doubtful { background: #ffe7cc; color: #8a4b00; }
        .verdict.untrusted { background: #f9d6d5; color: #8c1d18; }
        .trend.rising { color: #1d6b2f; } .trend.falling { color: #8c1d18; } .trend.flat { color: #4a5366; }
        figure.chart-box { margin: 10px 0 18px; }
        figure.chart-box figcaption { color: #4a5366; font-size: 0.85em; }
        div.chart { width: 100%; min-height: 300px; }
        div.scroll { max-height: 560px; overflow: auto; border: 1px solid #d9dee8; margin: 8px 0 12px; }
        div.scroll table { margin: 0; }
        div.scroll thead th { position: sticky; top: 0; }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 8px 20px; }
        footer { color: #8a93a5; font-size: 0.8em; margin-top: 40px; }
        """;

    // Draws one chart; marks the div when plotly.js has finished, so a browser check can wait for every chart.
    private const string PlotFunction = """
        function devinterpPlot(id, figure, sharedTemplate) {
          var element = document.getElementById(id);
          if (sharedTemplate) figure.layout.template = devinterpTemplate;
          Plotly.newPlot(element, figure.data, figure.layout, { responsive: true, displaylogo: false }).then(
            function () { element.setAttribute('data-rendered', 'true'); },
            function (error) { element.setAttribute('data-rendered', 'failed'); console.error('devinterp: chart ' + id + ' failed: ' + error); });
        }
        """;

    public static string Compose(string title, ReportData data, IReadOnlyList<(SectionInfo Info, string Html)> sections)
    {
        string plotly = PlotlyJs.Script;
        var sb = new StringBuilder(plotly.Length + sections.Sum(s => s.Html.Length) + 16_384);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(Policy).Append("\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta name=\"generator\" content=\"DevInterp ").Append(Html.Escape(Analysis.SoftwareVersions.Current.DevInterp)).Append("\">\n");
        sb.Append("<title>").Append(Html.Escape(title)).Append("</title>\n");
        sb.Append("<style>\n").Append(Style).Append("\n</style>\n");
        sb.Append("<script id=\"plotly-js\" data-version=\"").Append(PlotlyJs.Version).Append("\">\n").Append(plotly).Append("\n</script>\n");
        sb.Append("<script>\nvar devinterpTemplate = ").Append(ChartTemplate.Json).Append(";\n").Append(PlotFunction).Append("\n</script>\n");
        sb.Append("</head>\n<body>\n<main>\n");
        sb.Append("<h1>").Append(Html.Escape(title)).Append("</h1>\n");
        sb.Append("<nav><ol>\n");
        foreach (var (info, _) in sections)
        {
            sb.Append("<li><a href=\"#").Append(info.Id).Append('"').Append(info.Present ? "" : " class=\"absent-link\"").Append('>')
                .Append(Html.Escape(info.Title)).Append("</a></li>\n");
        }
        sb.Append("</ol></nav>\n");
        foreach (var (info, html) in sections)
        {
            sb.Append("<section id=\"").Append(info.Id).Append("\" data-present=\"").Append(info.Present ? "true" : "false").Append("\">\n");
            sb.Append("<h2>").Append(Html.Escape(info.Title)).Append("</h2>\n").Append(html).Append("</section>\n");
        }
        sb.Append("<footer>").Append(Html.Escape($"{data.Folder} — drawn from the analysis store only; plotly.js {PlotlyJs.Version} is inlined, the page works offline.")).Append("</footer>\n");
        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }
}
