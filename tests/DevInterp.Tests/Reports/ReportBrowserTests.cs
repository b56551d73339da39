using System.Diagnostics;
using System.Text.Json;
using DevInterp.Reports;
using DevInterp.Reports.Sections;
using Xunit.Abstractions;

namespace DevInterp.Tests.Reports;

/// <summary>
/// Opens reports in a real browser: headless Chromium (Debian's <c>chromium</c>) driven by .ci/report-check/check.mjs
/// (playwright-core), which fails on any console error or network request and tests the screenshot's pixels for every
/// chart. Needs node, <c>npm ci</c> in .ci/report-check and chromium, which <see cref="NodeCheckSetup"/> installs when
/// missing; what cannot be installed fails the test (DEVINTERP_SKIP_BROWSER_CHECK=1 opts out knowingly, not under CI=true).
/// </summary>
public class ReportBrowserTests(ITestOutputHelper output)
{
    /// <summary>Set to 1 to let the browser tests pass without running where chromium cannot be installed (ignored under CI=true).</summary>
    public const string OptOut = "DEVINTERP_SKIP_BROWSER_CHECK";

    private static string CheckDir => Path.Combine(TestPaths.RepoRoot, ".ci", "report-check");

    private static string Chromium => NodeCheckSetup.Chromium;

    private bool Ready()
    {
        if (Environment.GetEnvironmentVariable(OptOut) == "1" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            output.WriteLine($"browser check NOT RUN ({OptOut}=1)");
            return false;
        }
        // Installs what is missing (npm ci, apt-get chromium) so that a fresh clone's `dotnet test` runs the check.
        if (NodeCheckSetup.Ensure(CheckDir, chromium: true) is { } problem)
            Assert.Fail($"the browser check of the report cannot run: {problem}. See .ci/run, or set {OptOut}=1 to skip it knowingly (ignored under CI=true).");
        return true;
    }

    [Fact]
    public void ChromiumDrawsEveryChartOfTheSampleReportWithoutErrorsOrRequests()
    {
        if (!Ready()) return;
        var report = ReportSamples.Shared.Report;
        string screenshot = Path.Combine(TestPaths.NewTempDir(), "report.png");

        var (code, result, stderr) = RunCheck(report.Path, screenshot);

        var root = result.RootElement;
        Assert.True(code == 0, $"report-check failed ({code}): {string.Join("; ", root.GetProperty("failures").EnumerateArray())}\n{stderr}");
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Empty(root.GetProperty("consoleErrors").EnumerateArray());
        Assert.Empty(root.GetProperty("requests").EnumerateArray());
        var charts = root.GetProperty("charts").EnumerateArray().ToList();
        Assert.Equal(report.Charts.Select(c => (c.Id, c.Kind)), charts.Select(c => (c.GetProperty("id").GetString()!, c.GetProperty("kind").GetString()!)));
        foreach (var c in charts)
        {
            output.WriteLine($"{c.GetProperty("id")} {c.GetProperty("kind"),-20} data pixels {c.GetProperty("dataPixels"),7} " +
                $"({c.GetProperty("dataFraction")} of the plot area) in {c.GetProperty("dataColours")} colours; box {c.GetProperty("nonWhiteFraction")} non-white, {c.GetProperty("distinctColours")} colours");
            Assert.True(c.GetProperty("ok").GetBoolean(), c.ToString());
        }
        // Heatmaps fill their plot area; line charts draw at least a few hundred pixels.
        Assert.All(charts.Where(c => c.GetProperty("kind").GetString() == "heatmap"), c => Assert.True(c.GetProperty("dataFraction").GetDouble() > 0.9));
        var page = root.GetProperty("page");
        Assert.Equal(1280, page.GetProperty("width").GetInt32());
        byte[] png = File.ReadAllBytes(screenshot);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        output.WriteLine($"screenshot {page.GetProperty("width")}×{page.GetProperty("height")} px, {png.Length:N0} bytes");
    }

    [Fact]
    public void EveryShippedRunsReportIsDrawnWithItsStoryFirst()
    {
        if (!Ready()) return;
        // Each demo run under checkpoints/ (dln, tms, and grok once shipped), analysed as analyze does but without the LLC
        // (minutes per run here): the checkpoints' metrics, similarity, dynamics, stages, then the report in Chromium.
        foreach (string run in Analysis.ShippedRunAnalyses.Runs)
        {
            var store = Analysis.ShippedRunAnalyses.Get(run).Store;
            var report = AnalysisReport.Write(store.Folder);
            string screenshot = Path.Combine(TestPaths.NewTempDir(), $"report-{run}.png");

            var (code, result, stderr) = RunCheck(report.Path, screenshot);

            var root = result.RootElement;
            Assert.True(code == 0, $"{run}: report-check failed ({code}): {string.Join("; ", root.GetProperty("failures").EnumerateArray())}\n{stderr}");
            var charts = root.GetProperty("charts").EnumerateArray().ToList();
            Assert.Equal("overview", charts[0].GetProperty("kind").GetString());
            var sections = root.GetProperty("sections").EnumerateArray().Select(x => x.GetProperty("id").GetString()).ToList();
            Assert.Equal(["overview", "stages", "summary"], sections.Take(3));
            output.WriteLine($"{run}: {charts.Count} charts, page {root.GetProperty("page").GetProperty("height")} px, data pixels " +
                $"{charts.Min(c => c.GetProperty("dataPixels").GetInt32())}–{charts.Max(c => c.GetProperty("dataPixels").GetInt32())}; screenshot {screenshot}");
        }
    }

    [Fact]
    public void TheCheckFailsOnABlankChart()
    {
        if (!Ready()) return;
        var data = ReportData.Load(ReportSamples.Shared.Folder);
        string page = Path.Combine(TestPaths.NewTempDir(), "blank.html");
        File.WriteAllText(page, AnalysisReport.Render(data, sections: [new LlcSection(), new BlankChartSection()]).Html);

        var (code, result, _) = RunCheck(page, null);

        Assert.Equal(1, code);
        var charts = result.RootElement.GetProperty("charts").EnumerateArray().ToList();
        Assert.Equal(2, charts.Count);
        Assert.True(charts[0].GetProperty("ok").GetBoolean(), charts[0].ToString());
        // The blank chart has axes, grid and a title, drew without error, and is caught only by its pixels.
        var blank = charts[1];
        Assert.False(blank.GetProperty("ok").GetBoolean());
        Assert.Equal(0, blank.GetProperty("dataPixels").GetInt32());
        Assert.Equal(["only 0 plot-area pixels (0) are data (need 300 and 0.002)", "the data has 0 colour(s) (need 2)"],
            blank.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public void TheCheckFailsOnAConsoleErrorAndANetworkRequest()
    {
        if (!Ready()) return;
        // Not a DevInterp page (no Content-Security-Policy): the request really leaves, and is recorded and aborted.
        string page = Path.Combine(TestPaths.NewTempDir(), "leaky.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body><img src=\"http://192.0.2.1/pixel.png\"><script>console.error('boom');</script></body></html>");

        var (code, result, _) = RunCheck(page, null);

        Assert.Equal(1, code);
        var failures = result.RootElement.GetProperty("failures").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains("network request: http://192.0.2.1/pixel.png", failures);
        Assert.Contains("console error: boom", failures);
        Assert.Contains("the page has no chart", failures);
    }

    private sealed class BlankChartSection : IReportSection
    {
        public string Id => "blank";

        public string Title => "Blank";

        public SectionBody Render(ReportData data, ReportContext context)
        {
            var chart = Plotly.NET.CSharp.Chart.Line<double, double, string>(Array.Empty<double>(), Array.Empty<double>(), Name: "nothing");
            ChartStyle.Frame(chart, "A chart without data");
            return new SectionBody(true, context.Chart(chart, "blank"));
        }
    }

    private static (int Code, JsonDocument Result, string Stderr) RunCheck(string report, string? screenshot)
    {
        var info = new ProcessStartInfo(NodeCheckSetup.Node!)
        {
            WorkingDirectory = CheckDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(CheckDir, "check.mjs"));
        info.ArgumentList.Add(report);
        info.ArgumentList.Add("--chromium");
        info.ArgumentList.Add(Chromium);
        if (screenshot is not null)
        {
            info.ArgumentList.Add("--screenshot");
            info.ArgumentList.Add(screenshot);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("hang guard: check.mjs ran for 5 minutes");
        }
        Assert.True(process.ExitCode is 0 or 1, $"report-check could not run the browser (exit {process.ExitCode}): {stderr.Result}");
        return (process.ExitCode, JsonDocument.Parse(stdout.Result), stderr.Result);
    }
}
