using System.Text.Json.Nodes;
using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Reports;
using DevInterp.Stages;
using DevInterp.Storage;

namespace DevInterp.Tests.Reports;

/// <summary>The report as a figure in a paper: the story first, log scales where values span decades, legible stages (docs/report.md).</summary>
public class ReportStoryTests
{
    private static string Html => File.ReadAllText(ReportSamples.Shared.Report.Path);

    [Fact]
    public void TheStoryComesFirstOneFigureOfLossAccuracyLlcAndRepresentationalChange()
    {
        string html = Html;
        var overview = ReportHtml.Charts(html)[0];
        Assert.Equal("overview", overview.Kind);
        // Four panels stacked over one step axis: loss (log: 3.4 down to 0.02), accuracy, λ̂, 1 − CKA (log).
        var titles = new[] { "yaxis", "yaxis2", "yaxis3", "yaxis4" }.Select(a => (string)overview.Layout[a]!["title"]!["text"]!).ToArray();
        Assert.Equal(["loss (log)", "accuracy", "LLC λ̂", "1 − linear cka to previous"], titles);
        Assert.Equal("log", (string?)overview.Layout["yaxis"]!["type"]);
        Assert.Equal("log", (string?)overview.Layout["yaxis4"]!["type"]);
        var domains = new[] { "yaxis", "yaxis2", "yaxis3", "yaxis4" }.Select(a => PlacedChart.Numbers(overview.Layout[a]!["domain"])).ToArray();
        for (int i = 1; i < domains.Length; i++) Assert.True(domains[i][1] <= domains[i - 1][0], "panels do not overlap");
        Assert.Equal("y4", (string?)overview.Layout["xaxis"]!["anchor"]); // the step axis under the lowest panel
        // The untrusted estimate (step 1083) is not drawn in the story; doubtful and trusted ones are.
        var llcX = overview.Data.Where(t => (string?)t!["yaxis"] == "y3" && ((string?)t!["name"])!.StartsWith("λ̂ ", StringComparison.Ordinal))
            .SelectMany(t => PlacedChart.Numbers(t!["x"])).ToList();
        Assert.DoesNotContain(StepAxis.X(ReportSamples.UntrustedStep), llcX);
        Assert.Contains(StepAxis.X(ReportSamples.DoubtfulStep), llcX);
        // Stages shaded across the figure and labelled once.
        Assert.Equal(3, overview.Layout["shapes"]!.AsArray().Count(s => (string?)s!["type"] == "rect"));
        Assert.Equal(["stage 0", "stage 1", "stage 2"], overview.Layout["annotations"]!.AsArray().Select(a => (string)a!["text"]!));
        // Then what the LLC values mean, with the settings they were estimated with.
        string section = ReportHtml.Section(html, "overview");
        Assert.Contains("λ̂ estimates the local learning coefficient", section);
        Assert.Contains("d = 192 sampled parameters a regular (non-degenerate) minimum would have λ = d/2 = 96", section);
        Assert.Contains("SGLD, 8 chains &#215; 1000 draws, ε 3e-5 (calibrated), γ 0.1, nβ 147.7", section); // × is HTML-encoded
        Assert.Contains("39 estimates: 1 doubtful, 36 trusted, 2 untrusted; the 2 untrusted or undefined ones are left out of the stage table", section);
        // The story first: the overview, then the stage table, then the details.
        Assert.True(html.IndexOf("<section id=\"overview\"", StringComparison.Ordinal) < html.IndexOf("<section id=\"stages\"", StringComparison.Ordinal));
        Assert.True(html.IndexOf("<section id=\"stages\"", StringComparison.Ordinal) < html.IndexOf("<section id=\"summary\"", StringComparison.Ordinal));
    }

    [Fact]
    public void StageLabelsNeverOverlap()
    {
        // Twelve stages, most of them a few pixels wide on a log axis: labels shorten, move up a row, or are left out.
        long[] starts = [0, 1, 2, 3, 5, 8, 13, 21, 100, 110, 120, 4000];
        var stages = starts.Select((s, i) => new StageSummaryRow(i, s, i + 1 < starts.Length ? starts[i + 1] : 5000, null, null, null, [], null)).ToList();
        foreach (double width in new[] { StageBands.FullWidth, StageBands.HalfWidth })
        {
            var labels = StageBands.Layout(stages, StepAxis.Range(0, 5000), width);
            Assert.NotEmpty(labels);
            foreach (var row in labels.GroupBy(l => l.Row))
            {
                var ordered = row.OrderBy(l => l.Left).ToList();
                for (int i = 1; i < ordered.Count; i++) Assert.True(ordered[i].Left >= ordered[i - 1].Right, $"labels {ordered[i - 1].Text} and {ordered[i].Text} overlap");
            }
            Assert.All(labels, l => Assert.InRange(l.Row, 0, 2));
            // A wide stage gets its full name, a narrow one its number.
            Assert.Contains(labels, l => l.Text == "stage 10"); // 120 – 4000
            Assert.Contains(labels, l => l.Text == "8"); // 100 – 110
        }
    }

    [Fact]
    public void ACounterIsNotDrawnAndEveryFamilyOfMetricsHasItsOwnAxis()
    {
        // The issue: "Other metrics" drew epoch (0–49,000) on the axis of param_norm, hiding the norm's peak.
        string folder = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(folder);
        long[] epochs = Enumerable.Range(0, 30).Select(i => 1700L * i).ToArray();
        foreach (long e in epochs)
            store.Write(PartKey.ForStep(e), [CheckpointRow.Ok(e, $"epoch_{e}.pt", new string('a', 64), 10, new Dictionary<string, double>
            {
                ["train_loss"] = 4.7 * Math.Exp(-e / 3000.0) + 1e-4, ["epoch"] = e, ["param_norm"] = 40 + 10 * Math.Exp(-Math.Pow((e - 9400) / 5000.0, 2)),
                ["sv_1"] = 5, ["sv_2"] = 1 + e / 49300.0,
            })]);
        store.Consolidate();

        var report = AnalysisReport.Render(ReportData.Load(folder));

        var others = ReportHtml.Charts(report.Html).Where(c => c.Kind == "metrics").ToList();
        Assert.Equal(["param_norm", "sv"], others.Select(c => (string)c.Layout["title"]!["text"]!));
        Assert.Equal(["param_norm"], others[0].Data.Select(t => (string)t!["name"]!));
        Assert.Equal(["sv_1", "sv_2"], others[1].Data.Select(t => (string)t!["name"]!));
        Assert.Contains("Not drawn (they count epochs or samples rather than measure the model): epoch.", ReportHtml.Section(report.Html, "metrics"));
        // The run counts epochs (its files say so): every step axis says epoch.
        var loss = ReportHtml.Chart(report.Html, "loss");
        Assert.Equal("epoch (log scale)", (string?)loss.Layout["xaxis"]!["title"]!["text"]);
        Assert.Equal("log", (string?)loss.Layout["yaxis"]!["type"]); // 4.7 down to 1e-4
        Assert.DoesNotContain("step (log scale)", report.Html);
    }

    [Fact]
    public void WithoutLossMetricsTheLossIsTheLlcsLossAtEachCheckpoint()
    {
        // The issue: "Loss and accuracy: Not computed" although the training loss had been computed at every checkpoint for the LLC.
        string folder = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(folder);
        ReportSamples.WriteConfig(folder);
        var template = LlcRows.Failed(0, new LlcSettings(), 1e-4, "given", "sample", 0);
        long[] steps = [0, 10, 100, 1000];
        foreach (long s in steps)
        {
            store.Write(PartKey.ForStep(s), [CheckpointRow.Ok(s, $"step_{s:D6}.safetensors", new string('a', 64), 10)]);
            store.Write(PartKey.ForStep(s), [template with { Step = s, Mean = 5 + s / 100.0, Std = 0.3, LossAtCenter = 2.0 / (1 + s), Verdict = LlcVerdict.Trusted, Reasons = "" }]);
        }
        store.Consolidate();

        var report = AnalysisReport.Render(ReportData.Load(folder));

        Assert.True(report.Sections.Single(s => s.Id == "metrics").Present);
        var loss = ReportHtml.Chart(report.Html, "loss").Trace("train_loss");
        Assert.Equal(steps.Select(s => 2.0 / (1 + s)), PlacedChart.Numbers(loss["y"]), new Tolerance(1e-5)); // 6 significant digits
        Assert.Contains("L(w*) the LLC estimator computed at each checkpoint", ReportHtml.Section(report.Html, "metrics"));
        // The step size was given: no calibration section at all.
        Assert.DoesNotContain("<section id=\"calibration\"", report.Html);
    }

    [Fact]
    public void TheNameMapShowsPlusSignsAsTheyAre()
    {
        string folder = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(folder);
        ReportSamples.WriteConfig(folder);
        var config = AnalysisConfig.Load(Path.Combine(folder, AnalysisConfig.FileName));
        config = config with { NameMap = JsonNode.Parse("""{"fc1.weight+bias": "layers.0", "a<b": "c"}""")!.AsObject() };
        File.WriteAllText(Path.Combine(folder, AnalysisConfig.FileName), config.ToJson());
        ReportSamples.WriteCheckpoints(store);
        store.Consolidate();

        string summary = ReportHtml.Section(AnalysisReport.Render(ReportData.Load(folder)).Html, "summary");

        Assert.Contains("fc1.weight+bias", summary);
        Assert.DoesNotContain("\\u002B", summary);
        Assert.Contains("a&lt;b", summary); // still HTML-escaped
    }

    [Fact]
    public void RepresentationalChangeIsOnLogScalesWhereItSpansDecades()
    {
        var heatmap = ReportHtml.Charts(Html).First(c => c.Kind == "heatmap");
        var colorbar = heatmap.Data[0]!["colorbar"]!;
        string title = (string)heatmap.Layout["title"]!["text"]!;
        Assert.Contains("1 − ", title);
        if (title.EndsWith("(log colour)", StringComparison.Ordinal))
            Assert.All(colorbar["ticktext"]!.AsArray(), t => Assert.Matches("^(1|1e-\\d+)$", (string)t!));
        var adjacent = ReportHtml.Charts(Html).First(c => c.Kind == "adjacent-similarity");
        Assert.StartsWith("1 − ", (string)adjacent.Layout["title"]!["text"]!);
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Abs(y);
        public int GetHashCode(double obj) => 0;
    }
}
