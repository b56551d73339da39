using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tests.Cli;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// Config files as users write them (docs/config.md): every field optional, options meaning the same in the file and on
/// the command line, reusable across runs.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class AnalysisConfigFileTests
{
    private static string Write(string json, string? dir = null)
    {
        dir ??= TestPaths.NewTempDir();
        string path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static JsonObject Manifest(string part) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "checkpoints", "dln", "manifest.json")))![part]!;

    [Fact]
    public void TheDocumentedExampleParsesAndItsValuesAreTheDefaults()
    {
        string doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "config.md"));
        string example = Regex.Match(doc, "```jsonc\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        string dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "mlp.json"), """{"type": "mlp", "widths": [2, 2]}""");
        File.WriteAllText(Path.Combine(dir, "task.json"), """{"type": "dln"}""");

        var file = AnalysisConfigFile.Load(Write(example, dir));

        Assert.Equal(new LlcSettings(), file.Llc);
        Assert.Equal(new DynamicsSettings(), file.Dynamics);
        Assert.Equal(new StageSettings(), file.Stages);
        Assert.Equal(SimilaritySettings.DefaultMeasures, file.Similarity!.Measures);
        Assert.Equal(new SimilaritySettings() with { Measures = file.Similarity.Measures }, file.Similarity);
        Assert.Equal("mlp", file.Model!["type"]!.GetValue<string>());
        Assert.Equal(Path.GetFullPath(Path.Combine(dir, "..", "runs", "grokking")), file.RunPath);
        Assert.Equal("model", file.Key);
        Assert.Equal(dir, file.TaskBase);
        Assert.Equal("float32", file.DType);
    }

    [Fact]
    public void SectionsMayGiveAnySubsetOfTheirFields()
    {
        var file = AnalysisConfigFile.Load(Write("""{ "llc": { "chains": 3 }, "stages": { "penalty": 4 } }"""));

        Assert.Equal(new LlcSettings() with { Chains = 3 }, file.Llc);
        Assert.Equal(new StageSettings() with { Penalty = 4 }, file.Stages);
        Assert.Null(file.Similarity);
        Assert.Null(file.RunPath);
        Assert.Null(file.Model);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("null", null)]
    [InlineData("0.05", 0.05)]
    public void TargetRelativeErrorZeroMeansExactlyTheDrawsAsOnTheCommandLine(string value, double? expected)
    {
        var file = AnalysisConfigFile.Load(Write($$"""{ "llc": { "target_relative_error": {{value}} } }"""));

        Assert.Equal(expected, file.Llc!.ToOptions(1e-3).TargetRelativeError);
        // `devinterp llc --target-rel-error 0` builds LlcSettings with 0 too: the one meaning lives in LlcSettings.
        Assert.Null(new LlcSettings(TargetRelativeError: 0).ToOptions(1e-3).TargetRelativeError);
        Assert.Equal(0.03, AnalysisConfigFile.Load(Write("""{ "llc": {} }""")).Llc!.ToOptions(1e-3).TargetRelativeError);
    }

    [Theory]
    [InlineData("""{ "llc": { "chain": 4 } }""", "unknown field 'llc.chain'", "known: batch_size, burn_in, calibrate_at, chains,")]
    [InlineData("""{ "modle": {} }""", "unknown field 'modle'", "known: dtype, dynamics")]
    [InlineData("""{ "run": { "paht": "x" } }""", "unknown field 'run.paht'", "known: checkpoints, key, path")]
    [InlineData("""{ "llc": { "chains": "eight" } }""", "llc.chains: expected an integer from -2147483648 to 2147483647, got \"eight\"", "")]
    [InlineData("""{ "similarity": { "probe_count": 100000000000 } }""", "similarity.probe_count: expected an integer from -2147483648 to 2147483647, got 100000000000", "")]
    [InlineData("""{ "llc": { "traces": "yes" } }""", "llc.traces: expected true or false, got \"yes\"", "")]
    [InlineData("""{ "llc": { "step_size": [1] } }""", "llc.step_size: expected a number or null, got [1]", "")]
    [InlineData("""{ "model": 3 }""", "'model' must be an object or the path of a JSON file", "")]
    [InlineData("""[1, 2]""", "is a JSON object", "")]
    public void MistakesAreOneLineNamingTheFileAndTheField(string json, string expected, string also)
    {
        string path = Write(json);

        var e = Assert.Throws<RunFormatException>(() => AnalysisConfigFile.Load(path));

        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains(also, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AConfigWithOnlyTheRunPathTakesModelAndTaskFromTheManifest()
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        var file = AnalysisConfigFile.Load(Write($$"""{ "run": { "path": {{JsonSerializer.Serialize(run)}} } }"""));

        var config = AnalysisConfigBuilder.Create("x", file.RunPath!, Run.Open(file.RunPath!), file: file);

        Assert.True(JsonNode.DeepEquals(Manifest("model"), config.Model));
        Assert.True(JsonNode.DeepEquals(Manifest("task"), config.Task));
        Assert.Equal(new LlcSettings(), config.Llc);
        Assert.Equal("float32", config.DType);
    }

    [Fact]
    public void CommandLineOptionsWinOverTheFileWhichWinsOverTheManifest()
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        var model = Manifest("model");
        model["init_scale"] = 0.5;
        var file = AnalysisConfigFile.Load(Write($$"""{ "model": {{model.ToJsonString()}}, "dtype": "float64" }"""));
        var flagModel = Manifest("model");

        var fromFile = AnalysisConfigBuilder.Create("x", run, Run.Open(run), file: file);
        var fromFlags = AnalysisConfigBuilder.Create("x", run, Run.Open(run), model: flagModel, dtype: "float32", file: file);

        Assert.Equal(0.5, fromFile.Model["init_scale"]!.GetValue<double>());
        Assert.Equal("float64", fromFile.DType);
        Assert.True(JsonNode.DeepEquals(flagModel, fromFlags.Model));
        Assert.Equal("float32", fromFlags.DType);
    }

    [Fact]
    public void AnalyzeTakesModelAndTaskFromTheConfigWithoutAManifestAndTheRunFromRunPath()
    {
        string run = DemoRunCopy.Make("dln", 0, 97, 151, 5000);
        File.Delete(Path.Combine(run, RunManifest.FileName)); // a foreign run: nothing but checkpoints
        string dir = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(dir, "model.json"), Manifest("model").ToJsonString());
        string config = Write($$"""
            {
              // a user's file: the run, the model as a file, the task inline, and only what differs from the defaults
              "run": { "path": {{JsonSerializer.Serialize(run)}} },
              "model": "model.json",
              "task": {{Manifest("task").ToJsonString()}},
              "llc": { "enabled": false },
              "similarity": { "enabled": false, "probe_count": 32 },
              "dynamics": { "components": 2 },
            }
            """, dir);
        string outDir = Path.Combine(TestPaths.NewTempDir(), "foreign");

        var r = CliRunner.Run("analyze", "--out", outDir, "--config", config, "--quiet", "--no-report");

        Assert.True(r.ExitCode == ExitCodes.Success, r.Err);
        var recorded = AnalysisConfig.Load(Path.Combine(outDir, AnalysisConfig.FileName));
        Assert.Equal(2, recorded.Dynamics.Components);
        Assert.Equal(32, recorded.Similarity.ProbeCount);
        Assert.Equal([0L, 97, 151, 5000], AnalysisStore.Open(outDir).Read<CheckpointRow>().Select(c => c.Step).Order());
    }

    [Fact]
    public void ARecordedConfigIsReusableOnAnotherRunWithAWarning()
    {
        string first = DemoRunCopy.Make("dln", 0, 97, 5000), second = DemoRunCopy.Make("dln", 0, 151, 363, 5000);
        string config = Write("""{ "llc": { "enabled": false }, "similarity": { "probe_count": 32 }, "dynamics": { "components": 2 } }""");
        string firstOut = Path.Combine(TestPaths.NewTempDir(), "first");
        Assert.Equal(ExitCodes.Success, CliRunner.Run("analyze", first, "--out", firstOut, "--config", config, "--quiet", "--no-report").ExitCode);

        var again = CliRunner.Run("analyze", second, "--out", Path.Combine(TestPaths.NewTempDir(), "second"),
            "--config", Path.Combine(firstOut, AnalysisConfig.FileName), "--quiet", "--no-report");
        var intoTheFirstFolder = CliRunner.Run("analyze", second, "--out", firstOut, "--config", config, "--quiet", "--no-report");

        Assert.True(again.ExitCode == ExitCodes.Success, again.Err);
        Assert.Contains("was recorded on other checkpoints (0 rewritten, 2 new, 1 missing); its settings are used", again.Err);
        Assert.DoesNotContain("step ?", again.Err);
        Assert.Equal(ExitCodes.BadInput, intoTheFirstFolder.ExitCode); // resuming into a folder of another run
        Assert.Contains("'run.checkpoints' differs", intoTheFirstFolder.Err);
    }

    [Fact]
    public void WithoutARunArgumentOrRunPathTheErrorSaysWhereToGiveIt()
    {
        string config = Write("""{ "llc": { "chains": 2 } }""");

        var r = CliRunner.Run("analyze", "--out", Path.Combine(TestPaths.NewTempDir(), "x"), "--config", config);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("no run folder: give it as the first argument, or as run.path in " + config, r.Err);
    }

    [Fact]
    public void WithoutAModelTheErrorNamesTheOptionAndTheConfigField()
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        File.Delete(Path.Combine(run, RunManifest.FileName));
        string config = Write("""{ "llc": { "chains": 2 } }""");

        var r = CliRunner.Run("analyze", run, "--out", Path.Combine(TestPaths.NewTempDir(), "x"), "--config", config);

        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains($"pass --model spec.json or 'model' in {config}", r.Err);
    }
}
