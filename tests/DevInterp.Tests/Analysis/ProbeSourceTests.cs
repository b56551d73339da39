using System.Text.Json;
using System.Text.Json.Nodes;
using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Tasks;
using DevInterp.Tests.Cli;
using static TorchSharp.torch;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// Probes from the task (every training, test or possible input) or from a data file in any format, checked against
/// the model; and bad task data through the command line: one line, exit code 2, no stack trace.
/// </summary>
public class ProbeSourceTests
{
    private static string GrokRun => TestPaths.Fixture(Path.Combine("runs", "grok_mlp"));

    /// <summary>model.json, task.json and names.json for the grokking MLP fixture, written as a user would.</summary>
    private static (string Model, string Task, string Names) GrokFiles(string task = "")
    {
        string dir = TestPaths.NewTempDir();
        string run = GrokRun.Replace("\\", "/");
        File.WriteAllText(Path.Combine(dir, "model.json"), """{"type": "mlp", "widths": [14, 16, 7], "activation": "relu"}""");
        File.WriteAllText(Path.Combine(dir, "names.json"),
            """{"rename": {"fc1.weight": "layers.0.weight", "fc1.bias": "layers.0.bias", "fc2.weight": "layers.2.weight", "fc2.bias": "layers.2.bias"}}""");
        File.WriteAllText(Path.Combine(dir, "task.json"), task.Length > 0 ? task
            : $$"""{"type": "modular", "p": 7, "operation": "add", "train": "{{run}}/train_data.pth", "test": "{{run}}/test_data.pth"}""");
        return (Path.Combine(dir, "model.json"), Path.Combine(dir, "task.json"), Path.Combine(dir, "names.json"));
    }

    private static AnalysisConfig Config(SimilaritySettings similarity)
    {
        var (model, task, names) = GrokFiles();
        var run = Run.Open(GrokRun);
        return AnalysisConfigBuilder.Create("probe", GrokRun, run, RunInputs.ReadJson(model, "--model"), RunInputs.ReadJson(task, "--task"),
            RunInputs.ReadJson(names, "--name-map"), similarity: similarity);
    }

    [Fact]
    public void ProbesFromTheTaskTakeEveryInputTheSourceHas()
    {
        using var scope = NewDisposeScope();
        var run = Run.Open(GrokRun);
        long Rows(SimilaritySettings s)
        {
            using var probe = AnalysisProbe.Build(Config(s), run);
            Assert.Equal(14L, probe.Inputs.shape[1]);
            return probe.Count;
        }
        Assert.Equal(49, Rows(new SimilaritySettings(Probe: "all-inputs", ProbeCount: 5)));  // every pair mod 7; the count does not apply
        Assert.Equal(29, Rows(new SimilaritySettings(Probe: "all-train")));                    // the run's own training pairs
        Assert.Equal(20, Rows(new SimilaritySettings(Probe: "all-test")));
        Assert.Equal(10, Rows(new SimilaritySettings(ProbeCount: 10)));                        // drawn from the training pairs
    }

    [Fact]
    public void AProbeFileInAnyDataFormatIsReadAndCheckedAgainstTheModel()
    {
        using var scope = NewDisposeScope();
        var run = Run.Open(GrokRun);
        string dir = TestPaths.NewTempDir();
        string csv = Path.Combine(dir, "probe.csv");
        File.WriteAllText(csv, string.Join("\n", Enumerable.Range(0, 3).Select(r => string.Join(",", Enumerable.Range(0, 14).Select(c => c == r || c == 7 + r ? "1" : "0")))) + "\n");
        using (var probe = AnalysisProbe.Build(Config(new SimilaritySettings(ProbeFile: csv)), run))
        {
            Assert.Equal([3L, 14], probe.Inputs.shape);
            Assert.Equal(ScalarType.Float32, probe.Inputs.dtype);
            Assert.Equal(1f, probe.Inputs[2][9].item<float>());
        }
        string narrow = Path.Combine(dir, "narrow.csv");
        File.WriteAllText(narrow, "1,0,0\n0,1,0\n");
        var e = Assert.Throws<TaskFitException>(() => AnalysisProbe.Build(Config(new SimilaritySettings(ProbeFile: narrow)), run));
        Assert.Equal($"{narrow}: the probe inputs have 3 features per sample (shape [2, 3]), but the mlp model takes 14; check the input columns of the task (\"inputs\") or the model's input width", e.Message);
    }

    [Fact]
    public void ProbeOptionsOnTheCommandLine()
    {
        var (model, task, names) = GrokFiles();
        string outDir = Path.Combine(TestPaths.NewTempDir(), "grok");
        var r = CliRunner.Run("similarity", GrokRun, "--model", model, "--task", task, "--name-map", names, "--out", outDir,
            "--probe", "all-inputs", "--measures", "linear_cka", "--json", "--quiet");
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        using (var doc = JsonDocument.Parse(r.Out)) Assert.Equal(49, doc.RootElement.GetProperty("probe_rows").GetInt64());
        Assert.Equal("all-inputs", JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "analysis.json")))!["similarity"]!["probe"]!.GetValue<string>());

        var bad = CliRunner.Run("similarity", GrokRun, "--model", model, "--task", task, "--name-map", names, "--out", Path.Combine(TestPaths.NewTempDir(), "x"), "--probe", "everything");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Equal("error: --probe everything: neither one of train, all-train, all-test, all-inputs nor an existing data file", bad.Err.Trim());

        string dln = DemoRunCopy.Make("dln", 0, 5000);
        var generated = CliRunner.Run("similarity", dln, "--out", Path.Combine(TestPaths.NewTempDir(), "d"), "--probe", "all-inputs", "--quiet");
        Assert.Equal(ExitCodes.BadInput, generated.ExitCode);
        Assert.Equal("error: task: --probe all-inputs: the dln task draws its inputs from a distribution, so it has no finite list of inputs; use all-train (or a probe file)", generated.Err.Trim());
    }

    [Fact]
    public void BadTaskDataIsOneLineOnTheCommandLineWithoutAStackTrace()
    {
        // The tanh classifier's data have ten classes; its model five outputs. Without "where", the labels do not fit.
        string run = TestPaths.Fixture(Path.Combine("runs", "classifier", "checkpoints"));
        string dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "model.json"), """{"type": "mlp", "widths": [4, 16, 5], "activation": "tanh"}""");
        File.WriteAllText(Path.Combine(dir, "names.json"), """{"rename": {"0.weight": "layers.0.weight", "0.bias": "layers.0.bias", "2.weight": "layers.2.weight", "2.bias": "layers.2.bias"}}""");
        string data = TestPaths.Fixture(Path.Combine("runs", "classifier", "train.txt")).Replace("\\", "/");
        File.WriteAllText(Path.Combine(dir, "task.json"), $$"""{"type": "file", "loss": "cross_entropy", "train": "{{data}}"}""");
        string[] common = ["--model", Path.Combine(dir, "model.json"), "--task", Path.Combine(dir, "task.json"), "--name-map", Path.Combine(dir, "names.json")];
        var r = CliRunner.Run(["llc", run, "--out", Path.Combine(TestPaths.NewTempDir(), "a"), "--draws", "5", "--burn-in", "2", "--chains", "1", "--step-size", "1e-4", "--quiet", .. common]);
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {data}: class index 9 (sample ", r.Err);
        Assert.Contains("is not below the model's 5 outputs; keep only the classes the model was trained on (\"where\": \"target < 5\"", r.Err);
        Assert.DoesNotContain("   at ", r.Err);

        // The same through llc calibrate, which loads one checkpoint.
        var c = CliRunner.Run(["llc", "calibrate", run, "--nbetas", "10", .. common]);
        Assert.Equal(ExitCodes.BadInput, c.ExitCode);
        Assert.Single(c.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("is not below the model's 5 outputs", c.Err);
    }
}
