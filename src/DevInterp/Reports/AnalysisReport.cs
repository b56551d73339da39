using DevInterp.Reports.Sections;
using DevInterp.Storage;

namespace DevInterp.Reports;

/// <summary>
/// The HTML report of an analysis folder: one self-contained page (plotly.js inlined once, no network requests) drawn
/// from the folder's analysis.json and tables only (docs/report.md).
/// </summary>
public static class AnalysisReport
{
    /// <summary>The report's file name inside the analysis folder.</summary>
    public const string FileName = "report.html";

    /// <summary>
    /// The sections, in page order: the story first (the run at a glance, then its stages), then the details.
    /// </summary>
    public static IReadOnlyList<IReportSection> DefaultSections { get; } =
    [
        new OverviewSection(), new StagesSection(), new SummarySection(), new MetricsSection(), new LlcSection(),
        new LlcDiagnosticsSection(), new CalibrationSection(), new SimilaritySection(), new DynamicsSection(),
    ];

    /// <summary>
    /// Renders the page for <paramref name="data"/>. A section whose data the analysis does not hold is left off the page
    /// (and the table of contents) unless <paramref name="keepAbsent"/>, when it says in one line what is missing (for a
    /// page of sections a reader asked for by name).
    /// </summary>
    public static RenderedReport Render(ReportData data, ReportOptions? options = null, IReadOnlyList<IReportSection>? sections = null, bool keepAbsent = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        var context = new ReportContext(options ?? new ReportOptions());
        var rendered = (sections ?? DefaultSections).Select(s =>
        {
            int before = context.Charts.Count;
            var body = s.Render(data, context);
            return (Info: new SectionInfo(s.Id, s.Title, body.Present, context.Charts.Count - before), body.Html);
        }).ToList();
        string title = context.Options.Title ?? $"DevInterp report: {data.Name}";
        string html = ReportPage.Compose(title, data, rendered.Where(r => keepAbsent || r.Info.Present).ToList());
        return new RenderedReport(html, rendered.Select(r => r.Info).ToList(), context.Charts);
    }

    /// <summary>
    /// Reads <paramref name="analysisFolder"/>, renders its report and writes it atomically to <paramref name="outputPath"/>
    /// (default: <c>report.html</c> in the folder).
    /// </summary>
    public static ReportResult Write(string analysisFolder, string? outputPath = null, ReportOptions? options = null)
    {
        var data = ReportData.Load(analysisFolder);
        var report = Render(data, options);
        string path = Path.GetFullPath(outputPath ?? Path.Combine(data.Folder, FileName));
        string? dir = Path.GetDirectoryName(path);
        if (dir is not null && !Directory.Exists(dir)) throw new DirectoryNotFoundException($"{outputPath}: the folder {dir} does not exist");
        AtomicFile.WriteAllText(path, report.Html);
        return new ReportResult(path, new FileInfo(path).Length, report.Sections, report.Charts);
    }
}

/// <summary>A rendered page.</summary>
/// <param name="Html">The whole HTML document.</param>
/// <param name="Sections">Each section, in page order.</param>
/// <param name="Charts">Each chart, in page order.</param>
public sealed record RenderedReport(string Html, IReadOnlyList<SectionInfo> Sections, IReadOnlyList<ChartInfo> Charts);

/// <summary>A report written to disk.</summary>
/// <param name="Path">The file written (full path).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sections">Each section, in page order.</param>
/// <param name="Charts">Each chart, in page order.</param>
public sealed record ReportResult(string Path, long Bytes, IReadOnlyList<SectionInfo> Sections, IReadOnlyList<ChartInfo> Charts);

/// <summary>One section of a rendered report.</summary>
/// <param name="Id">Anchor id.</param>
/// <param name="Title">Heading.</param>
/// <param name="Present">Its data was there (a section without is left off the page, or says what is missing on a page of chosen sections).</param>
/// <param name="Charts">Charts it drew.</param>
public sealed record SectionInfo(string Id, string Title, bool Present, int Charts);
