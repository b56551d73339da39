using DevInterp.Checkpoints;
using DevInterp.Runs;
using DevInterp.Training;

namespace DevInterp.Tests.Training;

/// <summary>
/// The demo runs committed under checkpoints/ are valid runs, show the dynamics docs/demo-runs.md describes, and are
/// what the presets produce.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class ShippedRunsTests
{
    private static string RunDir(string name) => Path.Combine(TestPaths.RepoRoot, "checkpoints", name);

    private static RunManifest Manifest(string name) => RunManifest.Load(Path.Combine(RunDir(name), RunManifest.FileName));

    private static IReadOnlyDictionary<string, double> At(RunManifest m, long step) => m.Checkpoints.Single(c => c.Step == step).Metrics!;

    [Theory]
    [InlineData("grok", 100, 200, 5_000_000)]
    [InlineData("tms", 20, 40, 2_000_000)]
    [InlineData("dln", 20, 40, 2_000_000)]
    public void ManifestsAreValidAndMatchThePresets(string name, int minCheckpoints, int maxCheckpoints, long maxBytes)
    {
        var manifest = Manifest(name);
        var preset = TrainingPresets.Get(name);
        Assert.Equal(preset.ToJson().ToJsonString(), TrainingConfig.FromManifest(manifest).ToJson().ToJsonString());
        Assert.Equal(preset.Training.EffectiveSchedule.Resolve(preset.Training.Steps), manifest.Checkpoints.Select(c => c.Step));
        Assert.InRange(manifest.Checkpoints.Count, minCheckpoints, maxCheckpoints);
        long bytes = Directory.GetFiles(RunDir(name)).Sum(f => new FileInfo(f).Length);
        Assert.True(bytes < maxBytes, $"{name} run is {bytes} bytes");
        foreach (var c in manifest.Checkpoints)
        {
            using var reader = CheckpointFile.Open(Path.Combine(RunDir(name), c.File));
            Assert.Equal(preset.Model.Parameters.Select(p => p.Name), reader.Tensors.Select(t => t.Name));
            Assert.Equal(preset.Model.Parameters.Select(p => p.Shape), reader.Tensors.Select(t => t.Shape), new ShapeComparer());
        }
    }

    [Fact]
    public void DlnLearnsTheSingularValuesOneAtATimeWithPlateausBetween()
    {
        var m = Manifest("dln");
        double[] s = [5, 2.5, 1.2, 0.5];
        // Plateau k: the first k singular values learned, loss ≈ Σ_{i>k} s_i² (inputs have identity covariance).
        double Residual(int learned) => s.Skip(learned).Sum(v => v * v);
        void Plateau(long from, long to, int learned)
        {
            foreach (var c in m.Checkpoints.Where(c => c.Step >= from && c.Step <= to))
            {
                var x = c.Metrics!;
                Assert.InRange(x["train_loss"], Residual(learned) * 0.9, Residual(learned) * 1.1);
                for (int i = 0; i < learned; i++) Assert.InRange(x[$"sv_{i + 1}"], s[i] * 0.98, s[i] * 1.02);
                Assert.True(x[$"sv_{learned + 1}"] < 0.05 * (learned < 4 ? s[learned] : 1), $"step {c.Step}: sv_{learned + 1} = {x[$"sv_{learned + 1}"]}");
            }
            Assert.True(m.Checkpoints.Count(c => c.Step >= from && c.Step <= to) >= 3, $"fewer than 3 checkpoints on plateau {learned}");
        }
        Plateau(0, 97, 0);
        Plateau(151, 234, 1);
        Plateau(363, 700, 2);
        Plateau(1083, 1677, 3);
        foreach (var c in m.Checkpoints.Where(c => c.Step >= 2596)) Assert.True(c.Metrics!["train_loss"] < 1e-5);
        // Between plateaus the loss drops by the learned mode's share, and a checkpoint sits mid-transition.
        Assert.InRange(At(m, 291)["sv_2"], 0.1, 2.4);
        Assert.InRange(At(m, 2087)["sv_4"], 0.01, 0.49);
        var losses = m.Checkpoints.Select(c => c.Metrics!["train_loss"]).ToList();
        for (int i = 1; i < losses.Count; i++) Assert.True(losses[i] <= losses[i - 1] * (1 + 1e-6), $"loss rose at checkpoint {i}");
    }

    [Fact]
    public void TmsGoesThroughASquareToAPentagon()
    {
        var m = Manifest("tms");
        int K(long step) => (int)At(m, step)["features_represented"];
        double Loss(long step) => At(m, step)["train_loss"];
        Assert.Equal(0, K(0));
        Assert.InRange(Loss(0), 0.19, 0.21);
        // Paired phase: all six features growing on ~4 directions, loss slowing near 0.1.
        foreach (long step in new long[] { 311, 385, 476, 589 }) Assert.InRange(Loss(step), 0.09, 0.115);
        // 4-gon plateau: four features at ~90° from each other, two half-formed.
        foreach (long step in new long[] { 1116, 1381 })
        {
            Assert.Equal(4, K(step));
            Assert.InRange(Loss(step), 0.062, 0.067);
            AssertRegularPolygon(step, 4, toleranceDegrees: 16);
        }
        // 5-gon: one feature dropped, the other five 72° apart; loss flat.
        foreach (long step in new long[] { 2614, 3233, 4000 })
        {
            Assert.Equal(5, K(step));
            Assert.InRange(Loss(step), 0.0535, 0.0545);
            AssertRegularPolygon(step, 5, toleranceDegrees: 4);
        }
        Assert.True(Loss(1381) - Loss(2614) > 0.008, "no drop from the 4-gon to the 5-gon");
        Assert.True(Loss(589) - Loss(1116) > 0.025, "no drop into the 4-gon");
    }

    [Fact]
    public void GrokMemorisesThenFormsTheCircuitCleansUpAndSettles()
    {
        var m = Manifest("grok");
        var c = m.Checkpoints;
        double Get(int i, string metric) => c[i].Metrics![metric];
        long First(Func<int, bool> condition) => c[Enumerable.Range(0, c.Count).First(condition)].Step;
        long ArgMax(string metric) => c[Enumerable.Range(0, c.Count).MaxBy(i => Get(i, metric))].Step;
        int Between(long from, long to) => c.Count(x => x.Step >= from && x.Step <= to);
        const double chance = 1.0 / 29;

        // Memorisation: train accuracy from chance to 1 while test accuracy falls to 0 and the test loss climbs.
        Assert.InRange(Get(0, "train_accuracy"), 0, 2 * chance);
        Assert.InRange(Get(0, "test_accuracy"), 0, 2 * chance);
        Assert.Equal(166, First(i => Get(i, "train_accuracy") > 0.95));
        Assert.Equal(190, First(i => Get(i, "train_accuracy") >= 1));
        Assert.All(c.Where(x => x.Step >= 16 && x.Step <= 636), x => Assert.True(x.Metrics!["test_accuracy"] < 0.01, $"step {x.Step}"));
        // Circuit formation: the test loss peaks just after memorisation and falls from there on, while test accuracy
        // first rises above chance hundreds of steps later.
        Assert.Equal(244, ArgMax("test_loss"));
        for (int i = 1; i < c.Count; i++)
            if (c[i - 1].Step >= 244) Assert.True(Get(i, "test_loss") < Get(i - 1, "test_loss"), $"test loss rose at step {c[i].Step}");
        Assert.Equal(739, First(i => c[i].Step > 190 && Get(i, "test_accuracy") > chance));
        Assert.Equal(882, First(i => Get(i, "test_accuracy") > 0.1));
        Assert.Equal(1442, First(i => Get(i, "test_accuracy") > 0.5));
        // Clean-up: the weight norm peaks, then weight decay shrinks it while test accuracy passes 0.9.
        Assert.Equal(2268, ArgMax("weight_norm"));
        Assert.Equal(2405, First(i => Get(i, "test_accuracy") > 0.9));
        for (int i = 1; i < c.Count; i++)
            if (c[i - 1].Step >= 2268) Assert.True(Get(i, "weight_norm") < Get(i - 1, "weight_norm"), $"weight norm rose at step {c[i].Step}");
        // Settled: test accuracy above 0.95 from step 3204 on, and nothing moves by more than a little.
        Assert.Equal(3204, First(i => Get(i, "test_accuracy") > 0.95));
        Assert.All(c.Where(x => x.Step >= 3204), x =>
        {
            Assert.InRange(x.Metrics!["test_accuracy"], 0.95, 0.98);
            Assert.Equal(1.0, x.Metrics["train_accuracy"]);
            Assert.True(x.Metrics["train_loss"] < 1e-5);
        });
        Assert.InRange(Get(c.Count - 1, "weight_norm") / c.Single(x => x.Step == 3204).Metrics!["weight_norm"], 0.995, 1);
        // Every phase is resolved by several checkpoints.
        Assert.True(Between(0, 166) >= 10);
        Assert.True(Between(166, 739) >= 10);
        Assert.True(Between(739, 2268) >= 10);
        Assert.True(Between(2268, 3204) >= 10);
        Assert.True(Between(3204, 5000) >= 10);
    }

    [Fact]
    public void GrokRecordedMetricsAreThoseOfTheShippedWeights()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var manifest = Manifest("grok");
        var spec = DevInterp.Models.ModelSpec.Parse(manifest.Model!);
        var task = (DevInterp.Tasks.ModularTaskSpec)TaskSpecOf(manifest);
        using var train = task.LoadTraining();
        using var test = task.LoadTest()!;
        Assert.Equal(504, train.Count);
        Assert.Equal(841 - 504, test.Count);
        foreach (long step in new long[] { 166, 2268, 5000 })
        {
            var checkpoint = manifest.Checkpoints.Single(x => x.Step == step);
            using var model = spec.Load(Path.Combine(RunDir("grok"), checkpoint.File));
            var metrics = TaskMetrics.Compute(model, train, test);
            foreach (string name in new[] { "train_accuracy", "test_accuracy", "test_loss" })
                Assert.Equal(checkpoint.Metrics![name], metrics[name], 5);
            using var _ = TorchSharp.torch.no_grad();
            Assert.Equal(checkpoint.Metrics!["train_loss"], train.Loss(model).item<float>(), 5);
        }
    }

    private static void AssertRegularPolygon(long step, int k, double toleranceDegrees)
    {
        var m = Manifest("tms");
        using var reader = CheckpointFile.Open(Path.Combine(RunDir("tms"), m.Checkpoints.Single(c => c.Step == step).File));
        var w = reader.ReadDoubles("W"); // [2, 6] row-major
        var angles = Enumerable.Range(0, 6)
            .Where(i => Math.Sqrt(w[i] * w[i] + w[6 + i] * w[6 + i]) > CheckpointMetrics.RepresentedNorm)
            .Select(i => Math.Atan2(w[6 + i], w[i]) * 180 / Math.PI).Order().ToList();
        Assert.Equal(k, angles.Count);
        for (int i = 0; i < k; i++)
        {
            double gap = ((angles[(i + 1) % k] - angles[i]) % 360 + 360) % 360;
            Assert.InRange(gap, 360.0 / k - toleranceDegrees, 360.0 / k + toleranceDegrees);
        }
    }

    [Theory]
    [InlineData("grok")]
    [InlineData("tms")]
    [InlineData("dln")]
    public void RetrainingThePresetReproducesTheShippedCheckpoints(string name)
    {
        // A short prefix of the preset (same seeds, same optimizer) must land on the shipped weights.
        var preset = TrainingPresets.Get(name);
        var shipped = Manifest(name).Checkpoints.Where(c => c.Step <= 300).ToList();
        var config = preset with { Training = preset.Training with { Steps = shipped[^1].Step, Schedule = CheckpointSchedule.At([.. shipped.Select(c => c.Step)]), LossCurvePoints = 0 } };
        var result = Trainer.Run(config, TestPaths.NewTempDir());
        Assert.Equal(shipped.Select(c => c.Step), result.Manifest.Checkpoints.Select(c => c.Step));
        foreach (var (mine, theirs) in result.Manifest.Checkpoints.Zip(shipped))
        {
            using var a = CheckpointFile.Open(Path.Combine(result.Directory, mine.File));
            using var b = CheckpointFile.Open(Path.Combine(RunDir(name), theirs.File));
            foreach (var t in b.Tensors)
            {
                var x = a.ReadDoubles(t.Name);
                var y = b.ReadDoubles(t.Name);
                for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - y[i]) <= 1e-5 * (1 + Math.Abs(y[i])), $"{theirs.File} {t.Name}[{i}]: {x[i]} vs {y[i]}");
            }
            Assert.Equal(theirs.Metrics!["train_loss"], mine.Metrics!["train_loss"], 5);
        }
    }

    [Fact]
    public void ModelSpecLoadTurnsAShippedCheckpointIntoTheTrainedModel()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var manifest = Manifest("dln");
        var spec = DevInterp.Models.ModelSpec.Parse(manifest.Model!);
        var last = manifest.Checkpoints[^1];
        using var model = spec.Load(Path.Combine(RunDir("dln"), last.File), TorchSharp.torch.ScalarType.Float64);
        using var data = TaskSpecOf(manifest).Generate(TorchSharp.torch.ScalarType.Float64);
        using var _ = TorchSharp.torch.no_grad();
        Assert.Equal(last.Metrics!["train_loss"], data.Loss(model).item<double>(), 6);
        var sv = CheckpointMetrics.Compute(model);
        Assert.Equal(last.Metrics!["sv_1"], sv["sv_1"], 5);
        var wrong = new DevInterp.Models.DlnSpec([8, 8, 8]);
        var e = Assert.Throws<CheckpointFormatException>(() => wrong.Load(Path.Combine(RunDir("dln"), last.File)));
        Assert.Contains("unexpected in the checkpoint (1): 'layers.2.weight'", e.Message);
    }

    private static DevInterp.Tasks.TaskSpec TaskSpecOf(RunManifest m) => DevInterp.Tasks.TaskSpec.Parse(m.Task!);

    private sealed class ShapeComparer : IEqualityComparer<IReadOnlyList<long>>
    {
        public bool Equals(IReadOnlyList<long>? x, IReadOnlyList<long>? y) => x!.SequenceEqual(y!);
        public int GetHashCode(IReadOnlyList<long> obj) => obj.Count;
    }
}
