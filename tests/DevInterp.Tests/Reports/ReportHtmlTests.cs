using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DevInterp.Reports;
using DevInterp.Storage;
using Xunit.Abstractions;

namespace DevInterp.Tests.Reports;

/// <summary>The report page of the sample analysis (<see cref="ReportSamples"/>), read back from its HTML.</summary>
public class ReportHtmlTests(ITestOutputHelper output)
{
    private static string Html => File.ReadAllText(ReportSamples.Shared.Report.Path);

    private static readonly string[] SectionOrder = ["overview", "stages", "summary", "metrics", "llc", "llc-diagnostics", "calibration", "similarity", "dynamics"];

    [Fact]
    public void PlotlyJsIsInlinedOnceAndThePageLoadsNothing()
    {
        string html = Html;
        // The whole bundle, byte for byte, exactly once: not once per chart.
        Assert.Equal(1, ReportHtml.Count(html, PlotlyJs.Script));
        Assert.Equal(1, ReportHtml.Count(html, "<script id=\"plotly-js\""));
        Assert.Equal(1, ReportHtml.Count(html, ChartTemplate.Json));

        // What DevInterp wrote (everything but the plotly.js bundle, whose own source mentions map-tile URLs it never
        // fetches here): no external script, stylesheet, image, font or link, no URL at all.
        string own = ReportHtml.WithoutPlotly(html);
        Assert.DoesNotMatch(new Regex(@"\bsrc\s*=", RegexOptions.IgnoreCase), own);
        Assert.DoesNotMatch(new Regex(@"https?:|//[a-z0-9.-]+\.[a-z]{2,}/|url\(|@import|<link\b|<iframe\b|<img\b", RegexOptions.IgnoreCase), own);
        var hrefs = Regex.Matches(own, "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(hrefs);
        Assert.All(hrefs, h => Assert.StartsWith("#", h));
        // And the browser is told to refuse any fetch the page might still attempt.
        Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';", html);
    }

    [Fact]
    public void EveryChartIsPlacedOnceWithTheSharedTemplate()
    {
        string html = Html;
        var charts = ReportHtml.Charts(html);
        Assert.Equal(ReportSamples.Shared.Report.Charts.Select(c => c.Id), charts.Select(c => c.Id));
        Assert.Equal(Enumerable.Range(1, charts.Count).Select(i => $"chart-{i}"), charts.Select(c => c.Id));
        Assert.Equal(
            ["overview", "loss", "accuracy", "llc", "trace", "trace", "calibration", "adjacent-similarity", "adjacent-similarity",
             "similarity-to-initial", "similarity-to-final", "similarity-to-initial", "similarity-to-final", "heatmap", "heatmap",
             "heatmap", "heatmap", "trajectory", "explained-variance"],
            charts.Select(c => c.Kind));
        // Plotly.NET's default template is taken off every figure and applied from the page's single copy.
        Assert.All(charts, c => Assert.True(c.SharedTemplate && c.Layout["template"] is null, $"{c.Id} carries its own template"));
        Assert.Equal(charts.Count, ReportHtml.Count(html, "<div class=\"chart\""));
    }

    [Fact]
    public void EverySectionIsPresentInPageOrder()
    {
        string html = Html;
        var sections = Regex.Matches(html, "<section id=\"([^\"]+)\" data-present=\"(true|false)\">").Select(m => (Id: m.Groups[1].Value, Present: m.Groups[2].Value)).ToList();
        Assert.Equal(SectionOrder, sections.Select(s => s.Id));
        Assert.All(sections, s => Assert.Equal("true", s.Present));
        Assert.DoesNotContain("Not computed", html);
        foreach (string id in SectionOrder) Assert.Contains($"<a href=\"#{id}\">", html);

        string summary = ReportHtml.Section(html, "summary");
        Assert.Contains("40 visited of 41 listed in analysis.json: 39 ok, 1 failed", summary);
        Assert.Contains("tensor &#39;layers.2.weight&#39; holds 3 NaN values", summary); // the failed checkpoint's error
        Assert.Contains("<td>6000</td><td><code>step_006000.safetensors</code></td><td>skipped</td>", summary);
        Assert.Contains("{&quot;type&quot;:&quot;dln&quot;,&quot;widths&quot;:[8,8,8,8]", summary); // the model spec

        string stages = ReportHtml.Section(html, "stages");
        Assert.Equal(3 + 1, ReportHtml.Count(stages, "<tr>")); // header and three stages
        Assert.Contains("<td>1</td><td>40 – 700</td><td><span class=\"trend rising\">rising</span></td>", stages);
        Assert.Contains("llc, loss, similarity", stages);
    }

    [Fact]
    public void UntrustedAndDoubtfulEstimatesAreMarkedNotHidden()
    {
        string html = Html;
        var llc = ReportHtml.Chart(html, "llc");
        // Plotly marker symbols: 0 circle, 2 diamond, 4 x.
        var untrusted = llc.Trace("untrusted");
        Assert.Equal("untrusted (1)", (string?)untrusted["name"]);
        Assert.Equal([StepAxis.X(ReportSamples.UntrustedStep)], PlacedChart.Numbers(untrusted["x"]));
        Assert.Equal("4", (string?)untrusted["marker"]!["symbol"]);
        Assert.Equal("#d62728", (string?)untrusted["marker"]!["color"]);
        var doubtful = llc.Trace("doubtful");
        Assert.Equal([StepAxis.X(ReportSamples.DoubtfulStep)], PlacedChart.Numbers(doubtful["x"]));
        Assert.Equal("2", (string?)doubtful["marker"]!["symbol"]);
        var trusted = llc.Trace("trusted");
        Assert.Equal("0", (string?)trusted["marker"]!["symbol"]);
        Assert.DoesNotContain(StepAxis.X(ReportSamples.UntrustedStep), PlacedChart.Numbers(trusted["x"]));
        // The untrusted estimate stays on the λ̂ line and in the band; the one without any finite λ̂ is named below the chart.
        Assert.Contains(StepAxis.X(ReportSamples.UntrustedStep), PlacedChart.Numbers(llc.Trace("λ̂ ± 1 s.e.")["x"]));
        string section = ReportHtml.Section(html, "llc");
        Assert.Contains($"Not drawn (no finite λ̂): step {ReportSamples.NoChainStep} (untrusted: all 8 chains diverged", section);
        Assert.Contains("2 untrusted (red crosses)", section);

        string diagnostics = ReportHtml.Section(html, "llc-diagnostics");
        Assert.Contains($"<tr><td>{ReportSamples.UntrustedStep}</td><td><span class=\"verdict untrusted\">untrusted</span></td>", diagnostics);
        Assert.Contains($"<tr><td>{ReportSamples.DoubtfulStep}</td><td><span class=\"verdict doubtful\">doubtful</span></td>", diagnostics);
        Assert.Contains("2 of 8 chains diverged and were dropped: chain 2 at draw 330", diagnostics);
        // Settings equal across estimates are said once, not repeated per row.
        Assert.Contains("Every estimate: draws 1000, ε 3e-5 (calibrated), nβ 147.7, γ 0.1, sampler sgld.", diagnostics);
        // Traces of both flagged estimates that kept draws; the one without draws is named.
        var traces = ReportHtml.Charts(html).Where(c => c.Kind == "trace").ToList();
        Assert.Equal([$"step {ReportSamples.DoubtfulStep}: doubtful", $"step {ReportSamples.UntrustedStep}: untrusted"],
            traces.Select(t => ((string)t.Layout["title"]!["text"]!).Split(',')[0]));
        Assert.Equal(ReportSamples.Chains, traces[1].Data.Count);
        Assert.Contains($"No stored draws (llc_traces) for flagged step(s) {ReportSamples.NoChainStep}", diagnostics);
    }

    [Fact]
    public void TheLlcChartPutsStepZeroAtOneOnALogAxisWithTheBandAndTheStages()
    {
        var llc = ReportHtml.Chart(Html, "llc");
        var x = llc.Layout["xaxis"]!;
        Assert.Equal("log", (string?)x["type"]);
        var ticks = PlacedChart.Numbers(x["tickvals"]);
        var labels = x["ticktext"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.Equal(1.0, ticks[labels.IndexOf("0")]);
        Assert.Equal(1001.0, ticks[labels.IndexOf("1k")]);
        Assert.Equal(1.0, PlacedChart.Numbers(llc.Trace("trusted")["x"])[0]);

        // The band's edges are mean ± the standard error of the stored row (std over √healthy chains).
        var rows = ReportData.Load(ReportSamples.Shared.Folder).Llc.Where(r => double.IsFinite(r.Mean)).OrderBy(r => r.Step).ToList();
        var upper = PlacedChart.Numbers(llc.Trace("λ̂ + s.e.")["y"]);
        var lower = PlacedChart.Numbers(llc.Trace("λ̂ − s.e.")["y"]);
        Assert.Equal(rows.Count, upper.Length);
        for (int i = 0; i < rows.Count; i++)
        {
            double se = rows[i].Std / Math.Sqrt(rows[i].Chains - rows[i].DroppedChains);
            Assert.Equal(rows[i].Mean + se, upper[i], 1e-4 * Math.Abs(upper[i]) + 1e-9);
            Assert.Equal(rows[i].Mean - se, lower[i], 1e-4 * Math.Abs(lower[i]) + 1e-9);
        }

        // Stage bands: one rectangle per stage, boundaries at step + 1.
        var rects = llc.Layout["shapes"]!.AsArray().Where(s => (string?)s!["type"] == "rect").ToList();
        Assert.Equal([1.0, 41.0, 701.0], rects.Select(r => (double)r!["x0"]!));
        Assert.Equal([41.0, 701.0, 5001.0], rects.Select(r => (double)r!["x1"]!));
    }

    [Fact]
    public void SimilarityHasOneHeatmapPerLayerAndMeasureAndAdjacentCurves()
    {
        string html = Html;
        var ok = ReportSamples.OkSteps.ToArray();
        var heatmaps = ReportHtml.Charts(html).Where(c => c.Kind == "heatmap").ToList();
        Assert.Equal(ReportSamples.Layers.Length * ReportSamples.Measures.Length, heatmaps.Count);
        // Each cell is 1 − CKA, on a log colour scale when the values span decades (the title says which); the
        // diagonal (0) is drawn at the smallest value.
        var debiased = heatmaps.Single(h => ((string)h.Layout["title"]!["text"]!).StartsWith($"{ReportSamples.Layers[1]} — 1 − debiased_cka", StringComparison.Ordinal));
        bool log = ((string)debiased.Layout["title"]!["text"]!).EndsWith("(log colour)", StringComparison.Ordinal);
        var z = debiased.Data[0]!["z"]!.AsArray().Select(PlacedChart.Numbers).ToArray();
        Assert.Equal(ok.Length, z.Length);
        double Drawn(double similarity) => log ? Math.Log10(1 - similarity) : 1 - similarity;
        for (int i = 0; i < ok.Length; i++)
        {
            for (int j = i + 1; j < ok.Length; j++)
            {
                if (ok[i] == 0 && ok[j] == 1) { Assert.True(double.IsNaN(z[i][j]) && double.IsNaN(z[j][i])); continue; } // stored NaN: a blank cell
                double expected = ReportSamples.Similarity(ReportSamples.Layers[1], "debiased_cka", ok[i], ok[j]);
                Assert.Equal(Drawn(expected), z[i][j], 1e-4);
                Assert.Equal(z[i][j], z[j][i]);
            }
        }
        Assert.All(Enumerable.Range(0, ok.Length), i => Assert.True(z[i][i] <= z.SelectMany(r => r).Where(double.IsFinite).Min() + 1e-12));

        var adjacent = ReportHtml.Charts(html).Where(c => c.Kind == "adjacent-similarity").ToList();
        // The change from the previous checkpoint, 1 − CKA, on a log axis.
        var linear = adjacent.Single(c => ((string)c.Layout["title"]!["text"]!).StartsWith("1 − linear_cka", StringComparison.Ordinal));
        var curve = linear.Trace(ReportSamples.Layers[0]);
        Assert.Equal(ok.Skip(1).Select(StepAxis.X), PlacedChart.Numbers(curve["x"]));
        Assert.Equal(ok.Zip(ok.Skip(1)).Select(p => 1 - ReportSamples.Similarity(ReportSamples.Layers[0], "linear_cka", p.First, p.Second)),
            PlacedChart.Numbers(curve["y"]), new Tolerance(1e-5));

        // Against initialization and the final checkpoint: every other checkpoint, paired with the first / the last.
        var toInitial = ReportHtml.Charts(html).Where(c => c.Kind == "similarity-to-initial")
            .Single(c => ((string)c.Layout["title"]!["text"]!).StartsWith("linear_cka", StringComparison.Ordinal)).Trace(ReportSamples.Layers[0]);
        Assert.Equal(ok.Skip(1).Select(StepAxis.X), PlacedChart.Numbers(toInitial["x"]));
        Assert.Equal(ok.Skip(1).Select(s => ReportSamples.Similarity(ReportSamples.Layers[0], "linear_cka", ok[0], s)),
            PlacedChart.Numbers(toInitial["y"]), new Tolerance(1e-5));
        var toFinal = ReportHtml.Charts(html).Where(c => c.Kind == "similarity-to-final")
            .Single(c => ((string)c.Layout["title"]!["text"]!).StartsWith("linear_cka", StringComparison.Ordinal)).Trace(ReportSamples.Layers[0]);
        Assert.Equal(ok.SkipLast(1).Select(StepAxis.X), PlacedChart.Numbers(toFinal["x"]));
        Assert.Equal(ok.SkipLast(1).Select(s => ReportSamples.Similarity(ReportSamples.Layers[0], "linear_cka", s, ok[^1])),
            PlacedChart.Numbers(toFinal["y"]), new Tolerance(1e-5));
    }

    [Fact]
    public void SimilarityStoredAsAFullSquareMatrixDrawsTheSameCurvesAsOneOrder()
    {
        // The run analysis writes every pair in both orders and the diagonal; the sample writes each pair once.
        string folder = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(folder);
        ReportSamples.WriteConfig(folder);
        ReportSamples.WriteCheckpoints(store);
        var ok = ReportSamples.OkSteps.ToArray();
        var rows = new List<SimilarityRow>();
        foreach (long a in ok)
            foreach (long b in ok)
                rows.Add(new SimilarityRow(ReportSamples.Layers[0], "linear_cka", a, b, a == b ? 1 : ReportSamples.Similarity(ReportSamples.Layers[0], "linear_cka", Math.Min(a, b), Math.Max(a, b))));
        store.Write(PartKey.Whole, rows);
        store.Consolidate();

        string html = AnalysisReport.Render(ReportData.Load(folder)).Html;

        var square = ReportHtml.Chart(html, "adjacent-similarity").Trace(ReportSamples.Layers[0]);
        var once = ReportHtml.Charts(Html).Where(c => c.Kind == "adjacent-similarity")
            .Single(c => ((string)c.Layout["title"]!["text"]!).StartsWith("1 − linear_cka", StringComparison.Ordinal)).Trace(ReportSamples.Layers[0]);
        Assert.Equal(PlacedChart.Numbers(once["x"]), PlacedChart.Numbers(square["x"]));
        Assert.Equal(PlacedChart.Numbers(once["y"]), PlacedChart.Numbers(square["y"]));
        Assert.Single(ReportHtml.Charts(html), c => c.Kind == "heatmap");
    }

    [Fact]
    public void TheTrajectoryIsColouredByStepWithTheFlaggedCusps()
    {
        var chart = ReportHtml.Chart(Html, "trajectory");
        var ok = ReportSamples.OkSteps.ToArray();
        var dots = chart.Trace("checkpoints");
        Assert.Equal(ok.Select(s => Math.Log10(StepAxis.X(s))), PlacedChart.Numbers(dots["marker"]!["color"]), new Tolerance(1e-12));
        Assert.Equal("Viridis", (string?)dots["marker"]!["colorscale"]);
        var cusps = chart.Trace("flagged turn");
        Assert.Equal(2, PlacedChart.Numbers(cusps["x"]).Length);
        var smooth = chart.Trace("smoothed path");
        var sx = PlacedChart.Numbers(smooth["x"]);
        Assert.Equal([sx[Array.IndexOf(ok, 40L)], sx[Array.IndexOf(ok, 700L)]], PlacedChart.Numbers(cusps["x"]));
        string section = ReportHtml.Section(Html, "dynamics");
        Assert.Contains("<td>700</td><td>curvature_peak,direction_reversal</td>", section);
    }

    [Fact]
    public void AnAnalysisWithOnlyCheckpointsShowsOnlyWhatItHas()
    {
        string folder = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(folder);
        ReportSamples.WriteConfig(folder);
        ReportSamples.WriteCheckpoints(store);
        store.Consolidate();

        var report = AnalysisReport.Render(ReportData.Load(folder));

        Assert.Equal(SectionOrder, report.Sections.Select(s => s.Id));
        Assert.Equal(["overview", "summary", "metrics"], report.Sections.Where(s => s.Present).Select(s => s.Id));
        // Sections without data are not on the page, nor in its contents: no "no data" or "Not computed" panels.
        var onPage = Regex.Matches(report.Html, "<section id=\"([^\"]+)\"").Select(m => m.Groups[1].Value);
        Assert.Equal(["overview", "summary", "metrics"], onPage);
        Assert.DoesNotContain("Not computed", report.Html);
        Assert.DoesNotContain("(no data)", report.Html);
        Assert.DoesNotContain("href=\"#calibration\"", report.Html);
        Assert.Equal(["overview", "loss", "accuracy"], ReportHtml.Charts(report.Html).Select(c => c.Kind));
    }

    [Fact]
    public void AFolderThatIsNotAnAnalysisIsRefusedByName()
    {
        string empty = TestPaths.NewTempDir();
        var e = Assert.Throws<InvalidDataException>(() => ReportData.Load(empty));
        Assert.Contains(empty, e.Message);
        Assert.Contains("no analysis.json and no tables", e.Message);
        string missing = Path.Combine(empty, "nope");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => ReportData.Load(missing)).Message);
    }

    [Fact]
    public void RenderingReadsTheStoreOnlyAndGivesTheSamePageEveryTime()
    {
        var (folder, report) = ReportSamples.Shared;
        var before = Hashes(folder, report.Path);
        string again = Path.Combine(TestPaths.NewTempDir(), "again.html");

        var second = AnalysisReport.Write(folder, again);

        Assert.Equal(before, Hashes(folder, report.Path));
        Assert.Equal(File.ReadAllBytes(report.Path), File.ReadAllBytes(second.Path));
    }

    [Fact]
    public void TheSampleReportIsUnderSixMegabytes()
    {
        var report = ReportSamples.Shared.Report;
        long plotly = System.Text.Encoding.UTF8.GetByteCount(PlotlyJs.Script);
        output.WriteLine($"report {report.Bytes:N0} bytes: plotly.js {plotly:N0}, the rest {report.Bytes - plotly:N0} ({report.Charts.Count} charts, largest {report.Charts.Max(c => c.JsonChars):N0} chars)");
        Assert.Equal(new FileInfo(report.Path).Length, report.Bytes);
        Assert.True(report.Bytes < 6 * 1024 * 1024, $"report is {report.Bytes:N0} bytes");
        // 320,000 stored trace draws become at most 2 charts × 8 chains × 400 points.
        Assert.True(report.Bytes - plotly < 1024 * 1024, $"the page without plotly.js is {report.Bytes - plotly:N0} bytes");
    }

    private static Dictionary<string, string> Hashes(string folder, string except) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => Path.GetFullPath(f) != Path.GetFullPath(except))
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}

/// <summary>Element-wise comparison of two sequences of doubles within an absolute tolerance.</summary>
internal sealed class Tolerance(double absolute) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= absolute || (double.IsNaN(x) && double.IsNaN(y));

    public int GetHashCode(double obj) => 0;
}
