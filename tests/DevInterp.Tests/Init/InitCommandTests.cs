using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DevInterp.Analysis;
using DevInterp.Checkpoints;
using DevInterp.Cli;
using DevInterp.Init;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Tasks;
using DevInterp.Tests.Cli;
using static TorchSharp.torch;

namespace DevInterp.Tests.Init;

/// <summary>
/// <c>devinterp init</c> on runs laid out as other people's repositories save them (Fixtures/runs/make_foreign_runs.py,
/// trained and saved by real PyTorch): at most two edits of what it writes give a working analysis, the setup it
/// proposes reproduces the training loss the run recorded, and what it cannot know is asked for, not guessed.
/// </summary>
public class InitCommandTests
{
    private static string Run(string name) => TestPaths.Fixture(Path.Combine("runs", name));

    /// <summary>Runs init into a fresh folder; returns the folder and the analyze command it printed.</summary>
    private static (string Folder, string Analyze, CliRunner.Result Result) Init(string run)
    {
        string folder = Path.Combine(TestPaths.NewTempDir(), "setup");
        var r = CliRunner.Run("init", run, "--out", folder);
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.Equal("", r.Err);
        string analyze = r.Out.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("devinterp analyze ", StringComparison.Ordinal));
        return (folder, analyze, r);
    }

    /// <summary>Replaces each "CHOOSE: ..." placeholder by the value a researcher who knows the run would choose; returns the number of edits.</summary>
    private static int Choose(string folder, IReadOnlyDictionary<string, string> answers)
    {
        int edits = 0;
        foreach (string file in Directory.GetFiles(folder, "*.json"))
        {
            string text = File.ReadAllText(file);
            string edited = Regex.Replace(text, "\"(\\w+)\": \"CHOOSE:[^\"]*\"", m =>
            {
                edits++;
                return $"\"{m.Groups[1].Value}\": {answers[m.Groups[1].Value]}";
            });
            File.WriteAllText(file, edited);
        }
        return edits;
    }

    /// <summary>
    /// The analysis the printed command runs — the same files, read as the CLI reads them (built-in name maps by name,
    /// task paths against the task file's folder) — with a short LLC so the test takes seconds.
    /// </summary>
    private static AnalyzeResult Analyze(string command, string probe = "train")
    {
        string[] args = command.Split(' ');
        var parse = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, interactive: false)).Parse(args[1..]);
        Assert.Empty(parse.Errors);
        string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 ? args[i + 1] : null;
        string runPath = args[2], taskFile = Option("--task")!;
        var run = DevInterp.Runs.Run.Open(runPath, new RunOpenOptions(Option("--key")));
        var config = AnalysisConfigBuilder.Create("init-test", runPath, run,
            RunInputs.ReadJson(Option("--model"), "--model"), RunInputs.ReadJson(taskFile, "--task"), RunInputs.ReadNameMap(Option("--name-map")), Option("--key"),
            llc: new LlcSettings(Chains: 2, Draws: 30, BurnIn: 10, StepSize: 1e-4, TargetRelativeError: null),
            similarity: new SimilaritySettings(Probe: probe == "train" ? null : probe, ProbeCount: 64)) with
        {
            TaskBase = Path.GetDirectoryName(Path.GetFullPath(taskFile)),
        };
        var result = AnalysisPipeline.Run(config, run, Path.Combine(TestPaths.NewTempDir(), "analysis"), new AnalyzeOptions(Report: false));
        Assert.Empty(result.Failed);
        Assert.True(result.Complete);
        Assert.Equal(run.Checkpoints.Count, result.Llc!.Estimated.Count);
        Assert.Equal(run.Checkpoints.Count, result.Similarity!.Steps.Count);
        return result;
    }

    /// <summary>The loss of the proposed model on the proposed task's training set, at the last checkpoint.</summary>
    private static double TrainLoss(string folder, string runPath, out double recorded)
    {
        using var scope = NewDisposeScope();
        var run = DevInterp.Runs.Run.Open(runPath);
        var spec = ModelSpec.FromJsonFile(Path.Combine(folder, RunSetup.ModelFile));
        string names = Path.Combine(folder, RunSetup.NameMapFile);
        var map = File.Exists(names) ? NameMap.FromJsonFile(names) : null;
        using var reader = run.Checkpoints[^1].Open();
        recorded = ((MetadataValue.Real)reader.Metadata["train_loss"]).Value;
        using var model = spec.Load(reader, ScalarType.Float32, new StateDictLoadOptions(Map: map));
        using var train = TaskSpec.FromJsonFile(Path.Combine(folder, RunSetup.TaskFile)).LoadTraining();
        using var _ = no_grad();
        return train.Loss(model).item<float>();
    }

    [Fact]
    public void AGrokkingMlpRunNeedsTwoChoicesAndReproducesItsRecordedTrainingLoss()
    {
        var (folder, analyze, r) = Init(Run("grok_mlp"));
        Assert.Contains("model: an MLP 14 → 16 → 7 with biases", r.Out);
        Assert.Contains("task: modular arithmetic mod 7 on train_data.pth (29 pairs) and test_data.pth (20)", r.Out);
        Assert.DoesNotContain("not a checkpoint: train_data.pth", r.Out); // the data files are used, not noted as skipped
        var task = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "task.json")), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        Assert.Equal("concat", task["encoding"]!.GetValue<string>());
        Assert.EndsWith("grok_mlp/train_data.pth", task["train"]!.GetValue<string>());
        // Before the choices are made, reading the files fails on the field to choose, naming the file.
        var e = Assert.Throws<SpecFormatException>(() => ModelSpec.FromJsonFile(Path.Combine(folder, "model.json")));
        Assert.Contains("'activation': 'CHOOSE: relu | tanh | gelu' is not one of relu, tanh, gelu", e.Message);
        Assert.Contains("model.json", e.Message);

        Assert.Equal(2, Choose(folder, new Dictionary<string, string> { ["activation"] = "\"relu\"", ["operation"] = "\"add\"" }));
        double loss = TrainLoss(folder, Run("grok_mlp"), out double recorded);
        Assert.True(Math.Abs(loss - recorded) < 1e-5, $"train loss {loss} vs {recorded} recorded by the run");
        Analyze(analyze, probe: "all-inputs");
    }

    [Fact]
    public void AGrokkingMlpWithAnEmbeddingGetsAnEmbeddingSpecThatReproducesPyTorch()
    {
        var (folder, analyze, r) = Init(Run("grok_mlp_embed"));
        Assert.Contains("an MLP 8 → 16 → 7 with biases after a token embedding [7, 4]", r.Out);
        Assert.Equal(2, Choose(folder, new Dictionary<string, string> { ["activation"] = "\"relu\"", ["operation"] = "\"add\"" }));
        var spec = Assert.IsType<MlpSpec>(ModelSpec.FromJsonFile(Path.Combine(folder, "model.json")));
        Assert.Equal(new MlpEmbedding(7, 4, "concat"), spec.Embedding);
        double loss = TrainLoss(folder, Run("grok_mlp_embed"), out double recorded);
        Assert.True(Math.Abs(loss - recorded) < 1e-5, $"train loss {loss} vs {recorded} recorded by the run");

        // The last checkpoint's outputs on the test pairs, as PyTorch computed them.
        using (var scope = NewDisposeScope())
        {
            using var io = CheckpointFile.Open(Run("grok_mlp_embed.io.safetensors"));
            using var model = spec.Load(Path.Combine(Run("grok_mlp_embed"), "150.pth"), ScalarType.Float64,
                new StateDictLoadOptions(Map: NameMap.FromJsonFile(Path.Combine(folder, "names.json"))));
            using var _ = no_grad();
            DevInterp.Tests.Models.PyTorchParityTests.AssertClose(io.ReadTorch("output"), model.call(io.ReadTorch("input")), "embedding MLP");
        }
        Analyze(analyze);
    }

    [Fact]
    public void ATanhClassifierWithTextDataKeepsTheClassesTheModelHasAndNeedsOneChoice()
    {
        // The checkpoints sit in checkpoints/, the data beside that folder.
        var (folder, analyze, r) = Init(Path.Combine(Run("classifier"), "checkpoints"));
        Assert.Contains("model: an MLP 4 → 16 → 5 with biases", r.Out);
        Assert.Contains("task: a classification task on train.txt and test.txt", r.Out);
        string taskText = File.ReadAllText(Path.Combine(folder, "task.json"));
        Assert.Contains("\"where\": \"target < 5\"", taskText);
        Assert.Contains("CHECK: the data have labels up to 9 but the model has 5 outputs", taskText);
        Assert.Contains("\"0.weight\": \"layers.0.weight\"", File.ReadAllText(Path.Combine(folder, "names.json")));
        Assert.Equal(1, Choose(folder, new Dictionary<string, string> { ["activation"] = "\"tanh\"" }));
        Analyze(analyze, probe: "all-test");
    }

    [Fact]
    public void ATransformerLensRunUsesTheBuiltInMapAndNeedsTwoChoices()
    {
        var (folder, analyze, r) = Init(Run("tl_grok"));
        Assert.Contains("a TransformerLens transformer: 1 layer, d_model 16, 2 heads of 8, vocab 8 → 7 logits, d_mlp 32 (built-in name map transformerlens)", r.Out);
        Assert.Contains("--name-map transformerlens", analyze);
        Assert.False(File.Exists(Path.Combine(folder, "names.json")));
        Assert.Equal(2, Choose(folder, new Dictionary<string, string> { ["activation"] = "\"relu\"", ["operation"] = "\"add\"" }));
        var spec = Assert.IsType<TransformerSpec>(ModelSpec.FromJsonFile(Path.Combine(folder, "model.json")));
        Assert.Equal(new TransformerSpec(8, 3, 16, 2, 1, 32, LayerNorm: false, TieEmbeddings: false, Activation: "relu", VocabOut: 7, UnembedBias: true), spec);
        var task = Assert.IsType<ModularTaskSpec>(TaskSpec.FromJsonFile(Path.Combine(folder, "task.json")));
        Assert.True(task.EqualsToken);
        Assert.Equal(ModularEncoding.Tokens, task.Encoding);
        Analyze(analyze, probe: "all-inputs");
    }

    [Fact]
    public void LabelsInTheDataDecideTheOperationAndSavedArgsTheActivation()
    {
        // A run whose pair file carries the label, and whose checkpoints record the training arguments.
        string run = TestPaths.NewTempDir();
        foreach (string f in Directory.GetFiles(Run("grok_mlp"), "*.pth").Where(f => !Path.GetFileName(f).Contains("data")))
        {
            using var reader = CheckpointFile.Open(f);
            using var scope = NewDisposeScope();
            var tensors = reader.Tensors.ToDictionary(t => t.Name, t => reader.ReadTorch(t.Name));
            DevInterp.Checkpoints.Safetensors.SafetensorsWriter.Write(Path.Combine(run, Path.GetFileNameWithoutExtension(f) + ".safetensors"),
                tensors, new Dictionary<string, string> { ["args.activation"] = "ReLU" });
        }
        File.WriteAllText(Path.Combine(run, "train.csv"), "a,b,c\n1,2,2\n3,5,1\n6,6,1\n0,4,0\n");
        var (folder, _, r) = Init(run);
        Assert.DoesNotContain("to choose", r.Out);
        string model = File.ReadAllText(Path.Combine(folder, "model.json")), task = File.ReadAllText(Path.Combine(folder, "task.json"));
        Assert.Contains("\"activation\": \"relu\"", model);
        Assert.Contains("from the checkpoint's 'args.activation' = 'ReLU'", model);
        Assert.Contains("\"operation\": \"multiply\"", task); // 1·2 = 2, 3·5 = 15 ≡ 1, 6·6 = 36 ≡ 1, 0·4 = 0 (mod 7)
        Assert.Contains("the third column of train.csv holds a ∘ b mod p for this operation", task);
        using var data = TaskSpec.FromJsonFile(Path.Combine(folder, "task.json")).LoadTraining();
        Assert.Equal(4, data.Count);
    }

    [Fact]
    public void InitDoesNotOverwriteWithoutForceAndFailsInOneLineOnWhatItCannotDescribe()
    {
        var (folder, _, _) = Init(Run("tl_grok"));
        var again = CliRunner.Run("init", Run("tl_grok"), "--out", folder);
        Assert.Equal(ExitCodes.BadInput, again.ExitCode);
        Assert.Contains("model.json: exists (from an earlier init?); pass --force to overwrite it", again.Err);
        Assert.Equal(ExitCodes.Success, CliRunner.Run("init", Run("tl_grok"), "--out", folder, "--force").ExitCode);

        // A checkpoint of 1-D tensors only: no model init can propose; one line, no stack trace.
        string run = TestPaths.NewTempDir();
        using (var scope = NewDisposeScope())
            DevInterp.Checkpoints.Safetensors.SafetensorsWriter.Write(Path.Combine(run, "step_1.safetensors"), new Dictionary<string, Tensor> { ["scale"] = ones(3) });
        var bad = CliRunner.Run("init", run, "--out", Path.Combine(TestPaths.NewTempDir(), "s"));
        Assert.Equal(ExitCodes.BadInput, bad.ExitCode);
        Assert.Contains("no 2-D weight among the checkpoint's tensors (scale [3])", bad.Err);
        Assert.Single(bad.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AHuggingFaceGpt2RunReadsItsConfigAndLoadsThroughTheBuiltInMap()
    {
        string run = TestPaths.NewTempDir();
        foreach (int step in new[] { 10, 20 })
        {
            string dir = Directory.CreateDirectory(Path.Combine(run, $"checkpoint-{step}")).FullName;
            foreach (string f in Directory.GetFiles(TestPaths.Fixture(Path.Combine("transformers", "hf_gpt2")))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        }
        var (folder, analyze, r) = Init(run);
        Assert.Contains("(built-in name map hf-gpt2)", r.Out);
        Assert.Contains("--name-map hf-gpt2", analyze);
        var spec = ModelSpec.FromJsonFile(Path.Combine(folder, "model.json"));
        Assert.Equal(ModelSpec.FromJsonFile(TestPaths.Fixture(Path.Combine("transformers", "hf_gpt2.json"))), spec); // heads, activation, eps from config.json
        using var scope = NewDisposeScope();
        using var model = spec.Load(Path.Combine(run, "checkpoint-20", "pytorch_model.bin"), options: new StateDictLoadOptions(Map: NameMaps.HuggingFaceGpt2));
    }

    [Fact]
    public void WeightsStoredInOutAreTransposedByTheProposedNameMap()
    {
        // A hand-written MLP computing relu(x @ W1 + b1) @ W2 + b2, its weights stored [in, out].
        using var scope = NewDisposeScope();
        using var gen = new Generator(3);
        var w1 = randn([4, 8], generator: gen);
        var b1 = randn([8], generator: gen);
        var w2 = randn([8, 3], generator: gen);
        var b2 = randn([3], generator: gen);
        string run = TestPaths.NewTempDir();
        DevInterp.Checkpoints.Safetensors.SafetensorsWriter.Write(Path.Combine(run, "step_5.safetensors"),
            new Dictionary<string, Tensor> { ["W1"] = w1, ["b1"] = b1, ["W2"] = w2, ["b2"] = b2 }, new Dictionary<string, string> { ["activation"] = "relu" });
        var (folder, _, r) = Init(run);
        Assert.Contains("model: an MLP 4 → 8 → 3 with biases", r.Out);
        Assert.Contains("\"transpose\": true", File.ReadAllText(Path.Combine(folder, "names.json")));
        var spec = ModelSpec.FromJsonFile(Path.Combine(folder, "model.json"));
        using var model = spec.Load(Path.Combine(run, "step_5.safetensors"), options: new StateDictLoadOptions(Map: NameMap.FromJsonFile(Path.Combine(folder, "names.json"))));
        var x = randn([5, 4], generator: gen);
        using var _ = no_grad();
        DevInterp.Tests.Models.PyTorchParityTests.AssertClose((x.matmul(w1) + b1).relu().matmul(w2) + b2, model.call(x), "x @ W MLP");
    }
}
