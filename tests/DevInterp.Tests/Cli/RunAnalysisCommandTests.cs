using System.Text.Json;
using DevInterp.Cli;
using DevInterp.Tests.Analysis;

namespace DevInterp.Tests.Cli;

/// <summary>devinterp similarity, dynamics and stages: exit codes, --json shapes, one-line errors, help.</summary>
public class RunAnalysisCommandTests
{
    [Fact]
    public void SimilarityWritesTheTableAndPrintsJsonSummaries()
    {
        string run = DemoRunCopy.Make("dln", 0, 97, 151, 363, 5000);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "dln");

        var r = CliRunner.Run("similarity", run, "--out", outDir, "--measures", "linear_cka,procrustes", "--probe-count", "64", "--json", "--quiet");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Equal("", r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(new long[] { 0, 97, 151, 363, 5000 }, root.GetProperty("steps").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(["layers.0", "layers.1", "layers.2"], root.GetProperty("layers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["linear_cka", "procrustes"], root.GetProperty("measures").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(64, root.GetProperty("probe_rows").GetInt64());
        Assert.Equal(5, root.GetProperty("activations_captured").GetInt32());
        Assert.Equal(6, root.GetProperty("matrices_computed").GetInt32());
        var summaries = root.GetProperty("summaries").EnumerateArray().ToList();
        Assert.Equal(6, summaries.Count);
        Assert.All(summaries, s => Assert.True(s.GetProperty("first_to_last").GetDouble() is >= -1 and <= 2));
        Assert.All(summaries, s => Assert.Contains(s.GetProperty("largest_adjacent_change_step").GetInt64(), new long[] { 97, 151, 363, 5000 }));
        Assert.Empty(root.GetProperty("failed").EnumerateArray());
        Assert.True(File.Exists(Path.Combine(outDir, "similarity.arrow")));
        Assert.True(File.Exists(Path.Combine(outDir, "checkpoints.arrow")));

        // Rerunning resumes: nothing is captured or computed again.
        var again = CliRunner.Run("similarity", run, "--out", outDir, "--measures", "linear_cka,procrustes", "--probe-count", "64", "--json", "--quiet");
        using var doc2 = JsonDocument.Parse(again.Out);
        Assert.Equal(0, doc2.RootElement.GetProperty("activations_captured").GetInt32());
        Assert.Equal(5, doc2.RootElement.GetProperty("activations_cached").GetInt32());
        Assert.Equal(6, doc2.RootElement.GetProperty("matrices_kept").GetInt32());
    }

    [Fact]
    public void SimilarityWithACorruptCheckpointIsPartialFailureWithExitCode3()
    {
        string run = DemoRunCopy.Make("dln", 0, 97, 5000);
        File.WriteAllText(Path.Combine(run, "step_000097.safetensors"), "not a checkpoint");

        var r = CliRunner.Run("similarity", run, "--out", Path.Combine(TestPaths.NewTempDir(), "a"), "--quiet");

        Assert.Equal(ExitCodes.PartialFailure, r.ExitCode);
        Assert.Contains("error: step 97:", r.Err);
        Assert.Contains("step_000097.safetensors", r.Err);
        Assert.Contains("2 checkpoints compared", r.Out);
    }

    [Theory]
    [InlineData(new[] { "--measures", "linear_cka,cosine" }, "error: similarity.measures: unknown measure 'cosine' (known: linear_cka, debiased_cka")]
    [InlineData(new[] { "--probe-count", "0" }, "error: --probe-count: expected at least 1, got 0")]
    [InlineData(new[] { "--layers", "nope.*" }, "pattern 'nope.*' matches no layer")]
    [InlineData(new[] { "--probe-tensor", "x" }, "error: --probe-tensor needs --probe-file")]
    public void SimilarityBadOptionsAreUsageErrorsInOneLine(string[] options, string message)
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);

        var r = CliRunner.Run(["similarity", run, "--out", Path.Combine(TestPaths.NewTempDir(), "a"), "--quiet", .. options]);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains(message, r.Err);
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void SimilarityOnAMissingRunIsBadInput()
    {
        var r = CliRunner.Run("similarity", Path.Combine(TestPaths.NewTempDir(), "nothing"), "--out", Path.Combine(TestPaths.NewTempDir(), "a"));
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
    }

    [Fact]
    public void DynamicsPrintsJsonWithExplainedVarianceAndTransitions()
    {
        string run = DemoRunCopy.Make("tms");
        string outDir = Path.Combine(TestPaths.NewTempDir(), "tms");

        var r = CliRunner.Run("dynamics", run, "--out", outDir, "--components", "2", "--probe-count", "64", "--json", "--quiet");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(40, root.GetProperty("steps").GetArrayLength());
        var ratios = root.GetProperty("explained_variance_ratio").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(2, ratios.Count);
        Assert.True(ratios[0] >= ratios[1] && ratios.Sum() <= 1 + 1e-12);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("transitions").ValueKind);
        Assert.Equal(40, root.GetProperty("activations_captured").GetInt32());
        Assert.True(File.Exists(Path.Combine(outDir, "essential_dynamics.arrow")));
        Assert.True(File.Exists(Path.Combine(outDir, "essential_dynamics_variance.arrow")));
        Assert.True(File.Exists(Path.Combine(outDir, "essential_dynamics_curvature.arrow")));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "analysis.json")));
        Assert.Equal(2, config.RootElement.GetProperty("dynamics").GetProperty("components").GetInt32());
        Assert.Equal(64, config.RootElement.GetProperty("similarity").GetProperty("probe_count").GetInt32());
    }

    [Theory]
    [InlineData(new[] { "--smoothing-axis", "time" }, "error: dynamics.smoothing_axis: 'time' is not one of index, log_step")]
    [InlineData(new[] { "--components", "1" }, "error: dynamics.components: expected at least 2")]
    public void DynamicsBadOptionsAreUsageErrors(string[] options, string message)
    {
        string run = DemoRunCopy.Make("tms", 0, 1116, 4000);
        var r = CliRunner.Run(["dynamics", run, "--out", Path.Combine(TestPaths.NewTempDir(), "a"), "--quiet", .. options]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void StagesPrintsTheTableAsJsonAndWritesIt()
    {
        string run = DemoRunCopy.Make("dln");
        string outDir = Path.Combine(TestPaths.NewTempDir(), "dln");
        Assert.Equal(ExitCodes.Success, CliRunner.Run("similarity", run, "--out", outDir, "--quiet").ExitCode);

        var r = CliRunner.Run("stages", outDir, "--json");

        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var stages = doc.RootElement.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(new long[] { 0, 151, 363, 1083, 2596 }, stages.Select(s => s.GetProperty("start_step").GetInt64()));
        Assert.Equal(new long[] { 151, 363, 1083, 2596, 5000 }, stages.Select(s => s.GetProperty("end_step").GetInt64()));
        Assert.False(stages[0].TryGetProperty("confidence", out _)); // null for the first stage: omitted
        Assert.Equal(["loss", "similarity"], stages[1].GetProperty("signals").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3.0 / 4, stages[1].GetProperty("confidence").GetDouble()); // both of two signals: (2 + 1) / (2 + 2)
        Assert.True(stages[1].GetProperty("loss_change").GetDouble() < 0);
        var signals = doc.RootElement.GetProperty("signals").EnumerateArray().ToList();
        Assert.Equal(["loss", "similarity"], signals.Select(s => s.GetProperty("name").GetString()));
        Assert.True(File.Exists(Path.Combine(outDir, "stages.arrow")));
    }

    [Fact]
    public void StagesOptionsAreRecordedAndBadOnesNamed()
    {
        string run = DemoRunCopy.Make("tms", 0, 251, 902, 1116, 2113, 4000);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "tms");
        Assert.Equal(ExitCodes.Success, CliRunner.Run("similarity", run, "--out", outDir, "--quiet").ExitCode);

        var ok = CliRunner.Run("stages", outDir, "--tolerance", "1", "--min-segment-size", "1");
        Assert.Equal(ExitCodes.Success, ok.ExitCode);
        Assert.Contains("stages over 6 checkpoints", ok.Out);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "analysis.json"))))
            Assert.Equal(1.0, config.RootElement.GetProperty("stages").GetProperty("tolerance").GetDouble());

        var bad = CliRunner.Run("stages", outDir, "--cost", "l3");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("error: stages.cost: 'l3' is not one of l2, l1, normal, rbf", bad.Err);
    }

    [Fact]
    public void StagesOnAMissingOrEmptyFolderIsBadInput()
    {
        string missing = Path.Combine(TestPaths.NewTempDir(), "nothing");
        var r = CliRunner.Run("stages", missing);
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains($"error: {missing}: no such analysis folder", r.Err);

        var empty = CliRunner.Run("stages", TestPaths.NewTempDir());
        Assert.Equal(ExitCodes.BadInput, empty.ExitCode);
        Assert.Contains("stages need at least 2 (run devinterp llc, similarity or dynamics into it first)", empty.Err);
    }

    [Theory]
    [InlineData("similarity", "--measures")]
    [InlineData("dynamics", "--smoothing-axis")]
    [InlineData("stages", "--penalty")]
    public void HelpListsOptionsAndExamples(string command, string option)
    {
        var r = CliRunner.Run(command, "--help");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Contains(option, r.Out);
        Assert.Contains("Examples:", r.Out);
        Assert.Contains($"devinterp {command} ", r.Out);
    }
}
