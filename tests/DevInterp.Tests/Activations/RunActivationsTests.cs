using DevInterp.Activations;
using DevInterp.Checkpoints;
using DevInterp.Dynamics;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Similarity.Steps;
using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Tests.Activations;

/// <summary>Streaming the shipped demo runs: every checkpoint, the spec's layers, the right shapes and values.</summary>
public class RunActivationsTests
{
    private const int ProbeSize = 64;

    private static Run Shipped(string name) => Run.Open(Path.Combine(TestPaths.RepoRoot, "checkpoints", name));

    private static ProbeBatch TaskProbe(Run run)
    {
        using var task = TaskSpec.Parse(run.Manifest!.Task!).Generate();
        return ProbeBatch.Sample(task.Inputs, ProbeSize, seed: 1);
    }

    [Fact]
    public void DlnLayersAndTheLastLayerIsTheModelOutput()
    {
        var run = Shipped("dln");
        using var probe = TaskProbe(run);
        var spec = ModelSpec.Parse(run.Manifest!.Model!);
        var seen = new List<(long Step, string Layer)>();
        var lastLayer = new Dictionary<long, double[]>();
        var outputs = new OutputTrajectory();
        var result = RunActivations.Stream(run, probe, (step, layer, activations) =>
        {
            seen.Add((step, layer));
            Assert.Equal([(long)ProbeSize, 8], activations.shape);
            Assert.Equal(ScalarType.Float64, activations.dtype);
            if (layer == "layers.2") lastLayer[step] = activations.data<double>().ToArray();
        }, outputs.Add);

        Assert.Equal(run.Checkpoints.Select(c => c.Step), result.Steps);
        Assert.Empty(result.Skipped);
        Assert.Equal(["layers.0", "layers.1", "layers.2"], result.Layers);
        Assert.Equal(ProbeSize, result.Rows);
        Assert.Equal(3 * run.Checkpoints.Count, seen.Count);
        Assert.Equal(result.Steps, outputs.Steps);
        var trajectory = outputs.ToMatrix();
        Assert.Equal(run.Checkpoints.Count, trajectory.RowCount);
        Assert.Equal(ProbeSize * 8, trajectory.ColumnCount);

        // At a few checkpoints: the last layer's capture is the loaded model's forward output, and so is the output row.
        foreach (int i in new[] { 0, 20, run.Checkpoints.Count - 1 })
        {
            using var scope = NewDisposeScope();
            var checkpoint = run.Checkpoints[i];
            using var model = spec.Load(checkpoint.Path);
            using var _ = no_grad();
            var expected = model.call(probe.Inputs).to_type(ScalarType.Float64).reshape(-1).data<double>().ToArray();
            Assert.Equal(expected, lastLayer[checkpoint.Step]);
            Assert.Equal(expected, trajectory.Row(i).ToArray());
        }
        // The end-to-end map grows from ~0 to the teacher: late outputs are far larger than early ones.
        Assert.True(trajectory.Row(trajectory.RowCount - 1).L2Norm() > 100 * trajectory.Row(0).L2Norm());
    }

    [Fact]
    public void TmsHiddenLayerIsWxAndOutputsFeedEssentialDynamics()
    {
        var run = Shipped("tms");
        using var probe = TaskProbe(run);
        var hidden = new Dictionary<long, Tensor>();
        var outputs = new OutputTrajectory();
        var similarity = new StepSimilarityAccumulator();
        var result = RunActivations.Stream(run, probe, (step, layer, activations) =>
        {
            Assert.Equal("hook_hidden", layer);
            similarity.Add(step, activations);
            hidden[step] = activations.clone().DetachFromDisposeScope();
        }, outputs.Add);
        try
        {
            Assert.Equal(["hook_hidden"], result.Layers);
            Assert.Equal(2, result.Features["hook_hidden"]);
            Assert.Equal(40, result.Steps.Count);
            var last = run.Checkpoints[^1];
            using (var scope = NewDisposeScope())
            {
                using var reader = last.Open();
                var w = reader.ReadTorch("W", ScalarType.Float64);
                var b = reader.ReadTorch("b_final", ScalarType.Float64);
                var x = probe.Inputs.to_type(ScalarType.Float64);
                // Captured in float32 (the run's dtype), so compare to float32 precision.
                Assert.True((hidden[last.Step] - x.matmul(w.t())).abs().max().item<double>() < 1e-5);
                var output = (x.matmul(w.t()).matmul(w) + b).relu().reshape(-1);
                var row = from_array(outputs.ToMatrix().Row(outputs.Count - 1).ToArray());
                Assert.True((row - output).abs().max().item<double>() < 1e-5);
            }
            var cka = similarity.Result().LinearCka;
            Assert.Equal(40, cka.Steps.Count);
            var dynamics = EssentialDynamics.Analyze(outputs.Steps, outputs.ToMatrix());
            Assert.Equal(40, dynamics.Steps.Count);
        }
        finally
        {
            foreach (var t in hidden.Values) t.Dispose();
        }
    }

    [Fact]
    public void UnreadableOrMismatchedCheckpointsAreSkippedOrStopTheRun()
    {
        string dir = TestPaths.NewTempDir("devinterp-activations");
        try
        {
            var source = Shipped("dln");
            foreach (var c in source.Checkpoints.Take(4)) File.Copy(c.Path, Path.Combine(dir, Path.GetFileName(c.Path)));
            File.WriteAllText(Path.Combine(dir, Path.GetFileName(source.Checkpoints[2].Path)), "not a checkpoint");
            var run = Run.Open(dir);
            Assert.Null(run.Manifest);
            using var probe = TaskProbe(source);
            var spec = ModelSpec.Parse(source.Manifest!.Model!);

            var result = RunActivations.Stream(run, probe, null, options: new RunActivationOptions(Model: spec));
            Assert.Equal([0L, 1, 3], result.Steps);
            var skipped = Assert.Single(result.Skipped);
            Assert.Equal(2, skipped.Step);
            Assert.Contains("not a checkpoint", skipped.Reason);

            var e = Assert.Throws<CheckpointFormatException>(() =>
                RunActivations.Stream(run, probe, null, options: new RunActivationOptions(Model: spec, StopOnError: true)));
            Assert.Contains("(step 2) not a checkpoint", e.Message);

            var wrong = new DlnSpec([8, 4, 8]);
            e = Assert.Throws<CheckpointFormatException>(() => RunActivations.Stream(run, probe, null, options: new RunActivationOptions(Model: wrong)));
            Assert.Contains("no checkpoint of run", e.Message);
            Assert.Contains("does not fit DeepLinearNetwork: unexpected in the checkpoint (1): 'layers.2.weight'", e.Message);

            var noSpec = Assert.Throws<ArgumentException>(() => RunActivations.Stream(run, probe, null));
            Assert.Contains("its manifest records no model spec", noSpec.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AUserModuleStreamsWithANameMap()
    {
        // The DLN run's layers.{i}.weight loaded into a user Sequential named fc0, fc1, fc2.
        var run = Shipped("dln");
        using var probe = TaskProbe(run);
        using var user = nn.Sequential(("fc0", nn.Linear(8, 8, hasBias: false)), ("fc1", nn.Linear(8, 8, hasBias: false)),
            ("fc2", nn.Linear(8, 8, hasBias: false)));
        var map = new NameMap([NameRule.Pattern(@"^layers\.(\d)\.", "fc$1.")], []);
        var last = new Dictionary<string, double[]>();
        var result = RunActivations.Stream(run, user, probe, (step, layer, a) => { if (step == 5000) last[layer] = a.data<double>().ToArray(); },
            options: new RunActivationOptions(Layers: LayerSelection.Parse("fc*"), Load: new StateDictLoadOptions(Map: map)));
        Assert.Equal(["fc0", "fc1", "fc2"], result.Layers);
        using var scope = NewDisposeScope();
        using var model = ModelSpec.Parse(run.Manifest!.Model!).Load(run.Checkpoints[^1].Path);
        using var _ = no_grad();
        Assert.Equal(model.call(probe.Inputs).to_type(ScalarType.Float64).reshape(-1).data<double>().ToArray(), last["fc2"]);
    }
}
