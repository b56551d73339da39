using System.Security.Cryptography;
using System.Text.Json;
using DevInterp.Cli;
using DevInterp.Reports;
using DevInterp.Storage;
using DevInterp.Tests.Analysis;
using DevInterp.Tests.Reports;

namespace DevInterp.Tests.Cli;

public class ReportCommandTests
{
    private static readonly Lazy<string> LlcAnalysis = new(() =>
    {
        // A real analysis: devinterp llc on four checkpoints of the dln demo run, small chains, fixed step size.
        string run = DemoRunCopy.Make("dln", 0, 40, 700, 5000);
        string folder = Path.Combine(TestPaths.NewTempDir(), "dln");
        var r = CliRunner.Run("llc", run, "--out", folder, "--chains", "4", "--draws", "60", "--burn-in", "30", "--step-size", "1e-4",
            "--target-rel-error", "0", "--quiet");
        Assert.True(r.ExitCode == ExitCodes.Success, r.Err);
        return folder;
    });

    [Fact]
    public void RendersTheStoredLlcOfARealRunWithoutTouchingTheStore()
    {
        string folder = LlcAnalysis.Value;
        var before = Hashes(folder);

        var r = CliRunner.Run("report", folder, "--json");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Equal("", r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        string path = doc.RootElement.GetProperty("path").GetString()!;
        Assert.Equal(Path.Combine(Path.GetFullPath(folder), AnalysisReport.FileName), path);
        Assert.Equal(new FileInfo(path).Length, doc.RootElement.GetProperty("bytes").GetInt64());
        Assert.True(new FileInfo(path).Length < 6 * 1024 * 1024);
        var present = doc.RootElement.GetProperty("sections").EnumerateArray()
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("present").GetBoolean());
        Assert.Equal(new Dictionary<string, bool>
        {
            ["overview"] = true, ["stages"] = false, ["summary"] = true, ["metrics"] = true, ["llc"] = true, ["llc-diagnostics"] = true,
            ["calibration"] = false, ["similarity"] = false, ["dynamics"] = false,
        }, present);
        Assert.Equal(before, Hashes(folder)); // only report.html was added

        // The chart shows the stored estimates, at step + 1 on the log axis.
        var rows = AnalysisStore.Open(folder).Read<LlcRow>().OrderBy(l => l.Step).ToList();
        Assert.Equal([0L, 40, 700, 5000], rows.Select(l => l.Step));
        var line = ReportHtml.Chart(File.ReadAllText(path), "llc").Trace("λ̂ ± 1 s.e.");
        Assert.Equal([1.0, 41, 701, 5001], PlacedChart.Numbers(line["x"]));
        Assert.Equal(rows.Select(l => l.Mean), PlacedChart.Numbers(line["y"]), new Tolerance(1e-5 * rows.Max(l => Math.Abs(l.Mean))));
    }

    [Fact]
    public void PrintsWhatItWroteAndWhatWasNotComputed()
    {
        string outFile = Path.Combine(TestPaths.NewTempDir(), "elsewhere.html");

        var r = CliRunner.Run("report", LlcAnalysis.Value, "--out", outFile);

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.StartsWith($"wrote {outFile} (", r.Out);
        Assert.Contains("5 of 9 sections)", r.Out);
        Assert.Contains("not computed: stages, calibration, similarity, dynamics", r.Out);
        string html = File.ReadAllText(outFile);
        Assert.Contains("<section id=\"llc\" data-present=\"true\">", html);
        // What was not computed is said here, on the command line; the page leaves it off.
        Assert.DoesNotContain("<section id=\"calibration\"", html);
        Assert.DoesNotContain("Not computed", html);
    }

    [Fact]
    public void SectionsDrawsOnlyTheSectionsNamedAndRefusesAnUnknownOne()
    {
        string outFile = Path.Combine(TestPaths.NewTempDir(), "traces.html");

        var r = CliRunner.Run("report", LlcAnalysis.Value, "--sections", "llc, llc-traces", "--out", outFile);

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Contains("2 of 2 sections)", r.Out);
        string html = File.ReadAllText(outFile);
        Assert.Equal(["llc", "trace", "trace", "trace", "trace"], ReportHtml.Charts(html).Select(c => c.Kind));
        Assert.DoesNotContain("<section id=\"summary\"", html);

        r = CliRunner.Run("report", LlcAnalysis.Value, "--sections", "llc,traces");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--sections llc,traces: no report section 'traces'; the sections are overview, stages, summary, metrics, llc,", r.Err);
    }

    [Fact]
    public void BadInputIsOneLineNamingThePath()
    {
        string missing = Path.Combine(TestPaths.NewTempDir(), "no-such-analysis");
        var r = CliRunner.Run("report", missing);
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains($"error: {missing}: no such analysis folder", r.Err);

        string empty = TestPaths.NewTempDir();
        r = CliRunner.Run("report", empty);
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains("not an analysis folder", r.Err);

        string corrupt = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(corrupt, "llc.arrow"), "not arrow");
        r = CliRunner.Run("report", corrupt);
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains("llc", r.Err);
        Assert.Equal(1, r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("error:", StringComparison.Ordinal)));
        Assert.DoesNotContain("   at ", r.Err); // no stack trace without --verbose

        string noFolder = Path.Combine(TestPaths.NewTempDir(), "missing-dir", "report.html");
        r = CliRunner.Run("report", LlcAnalysis.Value, "--out", noFolder);
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains(noFolder, r.Err);
    }

    [Fact]
    public void UsageErrorsAndHelp()
    {
        var r = CliRunner.Run("report", LlcAnalysis.Value, "--out", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("is a folder", r.Err);

        r = CliRunner.Run("report", "--ouy", "x");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);

        r = CliRunner.Run("report", "--help");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Contains("nothing is recomputed", r.Out);
        Assert.Contains("Examples:", r.Out);
        Assert.Contains("devinterp report analyses/dln", r.Out);
    }

    private static Dictionary<string, string> Hashes(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != AnalysisReport.FileName)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
