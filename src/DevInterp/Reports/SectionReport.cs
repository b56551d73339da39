using DevInterp.Reports.Sections;
using DevInterp.Storage;

namespace DevInterp.Reports;

/// <summary>
/// A page of chosen sections of an analysis folder's report, e.g. only the calibration and the traces for a notebook:
/// the same self-contained page as <see cref="AnalysisReport"/> (plotly.js inlined once, no network requests), drawn
/// from the folder's tables only, with the sections named and in the order named (<c>devinterp report --sections</c>).
/// </summary>
public static class SectionReport
{
    /// <summary>Every section that can be chosen: <see cref="AnalysisReport.DefaultSections"/>, then <see cref="LlcTracesSection"/>.</summary>
    public static IReadOnlyList<IReportSection> Available { get; } = [.. AnalysisReport.DefaultSections, new LlcTracesSection()];

    /// <summary>The sections with ids <paramref name="ids"/>, in that order.</summary>
    /// <exception cref="ArgumentException">No id is given, or an id is not that of an <see cref="Available"/> section (the message lists them).</exception>
    public static IReadOnlyList<IReportSection> Choose(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var chosen = ids.Select(id => Available.FirstOrDefault(s => s.Id == id) ?? throw new ArgumentException(
            $"no report section '{id}'; the sections are {string.Join(", ", Available.Select(s => s.Id))}")).ToList();
        return chosen.Count > 0 ? chosen : throw new ArgumentException("no report section chosen");
    }

    /// <summary>
    /// Reads <paramref name="analysisFolder"/>, renders the sections <paramref name="sectionIds"/> (see <see cref="Choose"/>)
    /// and writes the page atomically to <paramref name="outputPath"/> (default: <c>report.html</c> in the folder).
    /// </summary>
    public static ReportResult Write(string analysisFolder, string? outputPath, IEnumerable<string> sectionIds, ReportOptions? options = null)
    {
        var sections = Choose(sectionIds);
        var data = ReportData.Load(analysisFolder);
        var report = AnalysisReport.Render(data, options, sections, keepAbsent: true);
        string path = Path.GetFullPath(outputPath ?? Path.Combine(data.Folder, AnalysisReport.FileName));
        string? dir = Path.GetDirectoryName(path);
        if (dir is not null && !Directory.Exists(dir)) throw new DirectoryNotFoundException($"{outputPath}: the folder {dir} does not exist");
        AtomicFile.WriteAllText(path, report.Html);
        return new ReportResult(path, new FileInfo(path).Length, report.Sections, report.Charts);
    }
}
