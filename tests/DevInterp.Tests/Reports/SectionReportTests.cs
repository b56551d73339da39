using DevInterp.Reports;
using DevInterp.Reports.Sections;
using DevInterp.Storage;

namespace DevInterp.Tests.Reports;

/// <summary>A page of chosen sections (SectionReport) and the traces of every estimate (LlcTracesSection).</summary>
public class SectionReportTests
{
    [Fact]
    public void DrawsOnlyTheChosenSectionsInTheOrderGivenOnTheSameSelfContainedPage()
    {
        string path = Path.Combine(TestPaths.NewTempDir(), "chosen.html");

        var result = SectionReport.Write(ReportSamples.Shared.Folder, path, ["llc-traces", "calibration"]);

        Assert.Equal(Path.GetFullPath(path), result.Path);
        Assert.Equal(["llc-traces", "calibration"], result.Sections.Select(s => s.Id));
        Assert.All(result.Sections, s => Assert.True(s.Present));
        string html = File.ReadAllText(path);
        Assert.Equal(1, ReportHtml.Count(html, PlotlyJs.Script));
        Assert.DoesNotContain("<section id=\"llc\"", html);
        Assert.True(html.IndexOf("<section id=\"llc-traces\"", StringComparison.Ordinal) < html.IndexOf("<section id=\"calibration\"", StringComparison.Ordinal));
        Assert.Equal(["calibration"], ReportHtml.Charts(html).Where(c => c.Kind != "trace").Select(c => c.Kind));
    }

    [Fact]
    public void TheTracesSectionDrawsTrustedEstimatesTooEvenlySpacedWithTheirDiagnostics()
    {
        var report = AnalysisReport.Render(ReportData.Load(ReportSamples.Shared.Folder), sections: [new LlcTracesSection()]);

        var traces = ReportHtml.Charts(report.Html).Where(c => c.Kind == "trace").ToList();
        // 38 estimates have draws (every ok step but the one whose chains all diverged): 12 drawn, first and last included.
        Assert.Equal(new ReportOptions().MaxTraceCheckpoints, traces.Count);
        var titles = traces.Select(t => ((string)t.Layout["title"]!["text"]!).Split(',')[0]).ToList();
        Assert.Equal("step 0: trusted", titles[0]);
        Assert.Equal("step 5000: trusted", titles[^1]);
        Assert.Equal(ReportSamples.Chains, traces[0].Data.Count);
        string section = ReportHtml.Section(report.Html, "llc-traces");
        Assert.Contains("<figcaption>trusted: R̂ 1.004, bulk ESS 1890, tail ESS 1720, drift 0.012", section);
        Assert.Contains("26 more estimate(s) have traces that are not drawn", section);
    }

    [Fact]
    public void WithoutTracesTheSectionSaysNotComputed()
    {
        string folder = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(folder);
        ReportSamples.WriteConfig(folder);
        ReportSamples.WriteCheckpoints(store);

        var report = AnalysisReport.Render(ReportData.Load(folder), sections: SectionReport.Choose(["llc-traces"]), keepAbsent: true);

        Assert.False(report.Sections.Single().Present);
        Assert.Contains("<strong>Not computed:</strong> the llc_traces table", report.Html);
        Assert.Empty(ReportHtml.Charts(report.Html));
        // On the full report a section without data is left off the page (the result still lists it, not present).
        var full = AnalysisReport.Render(ReportData.Load(folder), sections: SectionReport.Choose(["llc-traces"]));
        Assert.False(full.Sections.Single().Present);
        Assert.DoesNotContain("<section id=\"llc-traces\"", full.Html);
        Assert.DoesNotContain("Not computed", full.Html);
    }

    [Fact]
    public void AnUnknownOrMissingSectionIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => SectionReport.Choose(["llc", "llc-trace"]));
        Assert.Contains("no report section 'llc-trace'", e.Message);
        Assert.Contains("overview, stages, summary, metrics, llc, llc-diagnostics, calibration, similarity, dynamics, llc-traces", e.Message);
        Assert.Throws<ArgumentException>(() => SectionReport.Choose([]));
        Assert.Equal(AnalysisReport.DefaultSections.Select(s => s.Id).Append("llc-traces"), SectionReport.Available.Select(s => s.Id));
    }
}
