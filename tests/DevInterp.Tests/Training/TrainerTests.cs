using System.Text.Json.Nodes;
using DevInterp.Checkpoints;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Training;

namespace DevInterp.Tests.Training;

[Collection(GlobalTorchState.Name)]
public class TrainerTests
{
    /// <summary>A short TMS run with minibatches (exercising the sampler) and momentum.</summary>
    private static TrainingConfig Short(long seed = 7) => TrainingPresets.Tms with
    {
        Name = "short",
        Training = TrainingPresets.Tms.Training with
        {
            Steps = 150, Seed = seed, BatchSize = 64, Optimizer = "sgd", LearningRate = 0.05, Momentum = 0.9,
            Schedule = CheckpointSchedule.LogSpaced(8), LossCurvePoints = 20,
        },
    };

    private static Dictionary<string, byte[]> Files(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Fact]
    public void SameSeedGivesBitIdenticalFiles()
    {
        var a = Trainer.Run(Short(), TestPaths.NewTempDir());
        var b = Trainer.Run(Short(), TestPaths.NewTempDir());
        var filesA = Files(a.Directory);
        var filesB = Files(b.Directory);
        Assert.Equal(filesA.Keys.Order(), filesB.Keys.Order());
        Assert.Equal(8 + 2, filesA.Count); // 8 checkpoints, manifest.json, loss_curve.csv
        foreach (var (name, bytes) in filesA) Assert.True(bytes.AsSpan().SequenceEqual(filesB[name]), $"{name} differs between identical runs");

        var c = Trainer.Run(Short(seed: 8), TestPaths.NewTempDir());
        var filesC = Files(c.Directory);
        Assert.False(filesA["step_000150.safetensors"].AsSpan().SequenceEqual(filesC["step_000150.safetensors"]));
        // Step 0 differs too: the seed drives the initialisation.
        Assert.False(filesA["step_000000.safetensors"].AsSpan().SequenceEqual(filesC["step_000000.safetensors"]));
    }

    [Fact]
    public void WritesCheckpointsWithMetadataAndAManifestThatDescribesTheRun()
    {
        var config = Short();
        var progress = new List<TrainingProgress>();
        var result = Trainer.Run(config, TestPaths.NewTempDir(), new SyncProgress(progress));
        var manifest = RunManifest.Load(Path.Combine(result.Directory, RunManifest.FileName));
        var expectedSteps = config.Training.EffectiveSchedule.Resolve(150);
        Assert.Equal(expectedSteps, manifest.Checkpoints.Select(c => c.Step));
        Assert.Equal("short", manifest.Name);
        Assert.True(JsonNode.DeepEquals(config.Model.ToJson(), manifest.Model));
        Assert.True(JsonNode.DeepEquals(config.Task.ToJson(), manifest.Task));
        Assert.True(JsonNode.DeepEquals(config.Training.ToJson(), manifest.Training));
        Assert.Equal(config.ToJson().ToJsonString(), TrainingConfig.FromManifest(manifest).ToJson().ToJsonString());

        foreach (var c in manifest.Checkpoints)
        {
            Assert.Equal(Trainer.CheckpointFileName(c.Step, 150), c.File);
            using var reader = CheckpointFile.Open(Path.Combine(result.Directory, c.File));
            Assert.Equal(["W", "b_final"], reader.Tensors.Select(t => t.Name));
            Assert.All(reader.Tensors, t => Assert.Equal(TensorDType.Float32, t.DType));
            Assert.True(reader.Metadata["step"].TryGetInt64(out long step) && step == c.Step);
            Assert.True(reader.Metadata["train_loss"].TryGetDouble(out double loss) && loss == c.Metrics!["train_loss"]);
            Assert.Equal(c.Metrics!["features_represented"], double.Parse(reader.Metadata["features_represented"].ToString()));
            // The recorded loss is the loss of the saved weights on the regenerated training set.
            using var model = config.Model.Build(0);
            StateDictLoader.Load(model, reader);
            using var data = config.Task.Generate();
            using var _ = TorchSharp.torch.no_grad();
            Assert.Equal(loss, data.Loss(model).item<float>(), 6);
        }
        var curve = File.ReadAllLines(Path.Combine(result.Directory, Trainer.LossCurveFile));
        Assert.Equal("step,train_loss", curve[0]);
        Assert.Equal(result.LossCurve.Count + 1, curve.Length);
        Assert.Superset(expectedSteps.ToHashSet(), result.LossCurve.Select(p => p.Step).ToHashSet());

        Assert.Equal(expectedSteps, progress.Where(p => p.Checkpoint is not null).Select(p => p.Step));
        Assert.Equal(150, progress[^1].Step);
        Assert.Equal(1.0, progress[^1].Fraction);
        Assert.True(progress.Select(p => p.Step).SequenceEqual(progress.Select(p => p.Step).Order()));
    }

    [Fact]
    public void RefusesToOverwriteARunUnlessAsked()
    {
        string dir = TestPaths.NewTempDir();
        var config = Short() with { Training = Short().Training with { Steps = 20 } };
        Trainer.Run(config, dir);
        File.WriteAllText(Path.Combine(dir, "step_999999.safetensors"), "stale");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "mine");
        var e = Assert.Throws<RunFormatException>(() => Trainer.Run(config, dir));
        Assert.Contains("already holds a run", e.Message);
        Trainer.Run(config, dir, overwrite: true);
        Assert.False(File.Exists(Path.Combine(dir, "step_999999.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "notes.txt")));
    }

    [Fact]
    public void CancellationLeavesAValidManifestOfTheCheckpointsWritten()
    {
        string dir = TestPaths.NewTempDir();
        using var cts = new CancellationTokenSource();
        var reports = new SyncProgress([], p => { if (p.Checkpoint is { Step: >= 3 }) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Run(Short(), dir, reports, cancellationToken: cts.Token));
        var manifest = RunManifest.Load(Path.Combine(dir, RunManifest.FileName));
        Assert.Equal(3, manifest.Checkpoints[^1].Step);
        Assert.All(manifest.Checkpoints, c => Assert.True(File.Exists(Path.Combine(dir, c.File))));
    }

    [Fact]
    public void DivergenceIsReportedWithTheStepAndTheSetting()
    {
        var config = TrainingPresets.Dln with { Training = TrainingPresets.Dln.Training with { Steps = 200, LearningRate = 5.0, Schedule = CheckpointSchedule.LogSpaced(5) } };
        var e = Assert.Throws<InvalidOperationException>(() => Trainer.Run(config, TestPaths.NewTempDir()));
        Assert.Contains("training diverged at step", e.Message);
        Assert.Contains("lower training.lr (now 5)", e.Message);
    }

    [Fact]
    public void Float64RunsWriteFloat64Checkpoints()
    {
        var config = TrainingPresets.Dln with { Training = TrainingPresets.Dln.Training with { Steps = 5, DType = "float64", Schedule = CheckpointSchedule.LinearSpaced(2) } };
        var result = Trainer.Run(config, TestPaths.NewTempDir());
        using var reader = CheckpointFile.Open(Path.Combine(result.Directory, result.Manifest.Checkpoints[^1].File));
        Assert.Equal(["layers.0.weight", "layers.1.weight", "layers.2.weight"], reader.Tensors.Select(t => t.Name));
        Assert.All(reader.Tensors, t => Assert.Equal(TensorDType.Float64, t.DType));
        Assert.True(reader.Metadata.ContainsKey("sv_8"));
    }

    [Fact]
    public void ConfigsParseRoundTripAndNameBadFields()
    {
        foreach (string name in TrainingPresets.Names)
        {
            var preset = TrainingPresets.Get(name);
            Assert.Equal(preset.ToJson().ToJsonString(), TrainingConfig.Parse(preset.ToJson()).ToJson().ToJsonString());
        }
        Assert.Contains("presets: grok, tms, dln", Assert.Throws<ArgumentException>(() => TrainingPresets.Get("mnist")).Message);

        SpecFormatException Bad(Action<JsonObject> edit)
        {
            var json = TrainingPresets.Dln.ToJson();
            edit(json);
            return Assert.Throws<SpecFormatException>(() => TrainingConfig.Parse(json));
        }
        Assert.Equal("training.lr", Bad(j => j["training"]!["lr"] = -1).Field);
        Assert.Equal("training.optimizer", Bad(j => j["training"]!["optimizer"] = "lbfgs").Field);
        Assert.Equal("training.schedule.steps", Bad(j => j["training"]!["schedule"] = new JsonObject { ["kind"] = "explicit" }).Field);
        Assert.Equal("task.singular_values[0]", Bad(j => j["task"]!["singular_values"] = new JsonArray(0.0)).Field);
        Assert.Equal("model.widths", Bad(j => j["model"]!["widths"] = new JsonArray(8)).Field);
        var mismatch = Bad(j => j["model"]!["widths"] = new JsonArray(8, 8, 5));
        Assert.Equal("model", mismatch.Field);
        Assert.Contains("output width 5 differs from the task's 8", mismatch.Message);
        var tokens = Bad(j => j["model"] = new TransformerSpec(10, 4, 8, 2, 1, 16).ToJson());
        Assert.Equal("model.type", tokens.Field);
        Assert.Equal("task", Bad(j => j.Remove("task")).Field);
        Assert.Equal("epochs", Bad(j => j["epochs"] = 3).Field);
    }

    [Fact]
    public void AdamWDecaysTheWeightsOutsideTheAdaptiveStep()
    {
        // Adam's first step moves each weight by lr·g/(|g| + 1e-8) (the bias-corrected moments are g and g²); AdamW then
        // shrinks it by the factor 1 − lr·wd, whatever its gradient. Adam with the same weight_decay instead adds wd·w to
        // the gradient, which the adaptive scaling normalises away.
        const double lr = 0.01, wd = 3.0;
        var config = TrainingPresets.Grok with
        {
            Training = TrainingPresets.Grok.Training with { Steps = 1, LearningRate = lr, WeightDecay = wd, Schedule = CheckpointSchedule.LinearSpaced(2), LossCurvePoints = 0 },
        };
        var result = Trainer.Run(config, TestPaths.NewTempDir());
        using var model = config.Model.Build(config.Training.Seed);
        using var data = config.Task.Generate();
        data.Loss(model).backward();
        using var after = CheckpointFile.Open(Path.Combine(result.Directory, result.Manifest.Checkpoints[^1].File));
        foreach (var (name, parameter) in model.named_parameters())
        {
            var w0 = parameter.detach().to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
            var g = parameter.grad!.to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
            var w1 = after.ReadDoubles(name);
            for (int i = 0; i < w0.Length; i++)
            {
                double expected = w0[i] * (1 - lr * wd) - lr * g[i] / (Math.Abs(g[i]) + 1e-8);
                Assert.True(Math.Abs(w1[i] - expected) <= 2e-6, $"{name}[{i}]: {w1[i]} vs {expected}");
            }
        }
    }

    [Fact]
    public void ClassificationRunsRecordAccuracyAndTheHeldOutSet()
    {
        var config = TrainingPresets.Grok with { Training = TrainingPresets.Grok.Training with { Steps = 20, Schedule = CheckpointSchedule.LinearSpaced(3), LossCurvePoints = 0 } };
        var result = Trainer.Run(config, TestPaths.NewTempDir());
        var last = result.Manifest.Checkpoints[^1];
        using var reader = CheckpointFile.Open(Path.Combine(result.Directory, last.File));
        using var model = config.Model.Build(0);
        StateDictLoader.Load(model, reader);
        using var test = config.Task.LoadTest()!;
        using var train = config.Task.LoadTraining();
        using var _ = TorchSharp.torch.no_grad();
        var logits = model.call(test.Inputs).to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
        var targets = test.Targets.data<long>().ToArray();
        int p = 29, correct = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            var row = logits.AsSpan(i * p, p);
            int best = 0;
            for (int k = 1; k < p; k++) if (row[k] > row[best]) best = k;
            if (best == targets[i]) correct++;
        }
        Assert.Equal((double)correct / targets.Length, last.Metrics!["test_accuracy"], 12);
        Assert.Equal(test.Loss(model).item<float>(), last.Metrics["test_loss"], 5);
        Assert.InRange(last.Metrics["train_accuracy"], 0, 1);
        double norm = Math.Sqrt(model.parameters().Sum(t => t.detach().to_type(TorchSharp.torch.ScalarType.Float64).square().sum().item<double>()));
        Assert.Equal(norm, last.Metrics["weight_norm"], 9);
        Assert.Equal(last.Metrics["test_accuracy"].ToString("R", System.Globalization.CultureInfo.InvariantCulture), reader.Metadata["test_accuracy"].ToString());
    }

    /// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SyncProgress(List<TrainingProgress> sink, Action<TrainingProgress>? also = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            sink.Add(value);
            also?.Invoke(value);
        }
    }
}
