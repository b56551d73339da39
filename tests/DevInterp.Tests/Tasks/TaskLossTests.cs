using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace DevInterp.Tests.Tasks;

public class TaskLossTests
{
    [Fact]
    public void WeightedSquaredErrorPerChain()
    {
        using var scope = NewDisposeScope();
        var loss = new WeightedSquaredErrorLoss([1, 0.5, 0.25]);
        var prediction = tensor(new float[] { 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).reshape(2, 2, 3);
        var target = tensor(new float[] { 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0 }).reshape(2, 2, 3);
        // chain 0: samples 1.75 and 1 + 0.5·4 + 0.25·9 = 5.25, mean 3.5; chain 1: 0.
        Assert.Equal(new float[] { 3.5f, 0f }, loss.Compute(prediction, target).data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => new WeightedSquaredErrorLoss([1, -1]));
        Assert.Throws<ArgumentException>(() => loss.Compute(zeros(1, 2, 4), zeros(1, 2, 4)));
    }

    [Fact]
    public void EachTaskNamesItsOwnLoss()
    {
        Assert.IsType<WeightedSquaredErrorLoss>(new TmsTaskSpec(4, 0.1, 0.5, 10, 1).CreateLoss());
        Assert.Equal([1, 0.5, 0.25, 0.125], ((WeightedSquaredErrorLoss)new TmsTaskSpec(4, 0.1, 0.5, 10, 1).CreateLoss()).Weights);
        Assert.IsType<SquaredErrorLoss>(new DlnTaskSpec(3, 3, [1], 0, 10, 1).CreateLoss());
        Assert.IsType<LastPositionCrossEntropyLoss>(new ModularTaskSpec(7, ModularOperation.Add, 0.5, 1).CreateLoss());
        var nll = Assert.IsType<GaussianNllLoss>(new FileTaskSpec(FileTaskLoss.GaussianNll, new DataSource(new DataFileRef("a.csv")), Sigma: 0.5).CreateLoss());
        Assert.Equal(0.5, nll.Sigma);
    }

    /// <summary>
    /// The bridge: the loss the LLC potential computes at w* from the task's own data and loss equals the train_loss the
    /// trainer recorded in the shipped manifests.
    /// </summary>
    [Theory]
    [InlineData("tms")]
    [InlineData("dln")]
    public void LlcPotentialAtTheCheckpointReproducesTheRecordedTrainLoss(string run)
    {
        using var scope = NewDisposeScope();
        var manifest = RunManifest.Load(Path.Combine(TestPaths.RepoRoot, "checkpoints", run, RunManifest.FileName));
        var task = TaskSpec.Parse(manifest.Task!);
        var model = ModelSpec.Parse(manifest.Model!);
        using var train = task.LoadTraining();
        var (data, loss) = train;
        foreach (var checkpoint in new[] { manifest.Checkpoints[0], manifest.Checkpoints[20], manifest.Checkpoints[^1] })
        {
            using var module = model.Load(Path.Combine(TestPaths.RepoRoot, "checkpoints", run, checkpoint.File));
            using var potential = new ModulePotential(module, data, loss);
            double atCenter = potential.Loss(potential.Center.unsqueeze(0), null, null).to_type(ScalarType.Float64).item<double>();
            double recorded = checkpoint.Metrics!["train_loss"];
            Assert.Equal(recorded, atCenter, Math.Max(1e-7, 1e-5 * recorded));
        }
    }

    [Fact]
    public void ModularTaskThroughTheBatchedLoss()
    {
        using var scope = NewDisposeScope();
        var spec = new ModularTaskSpec(7, ModularOperation.Add, 0.5, 2);
        using var train = spec.LoadTraining();
        var (data, loss) = train;
        // Perfect logits (+10 at the answer) give a loss near 0; the chains see the same data.
        var logits = nn.functional.one_hot(data.Targets, 7).to_type(ScalarType.Float32) * 10;
        var (x, y) = data.Batch(null, 2);
        Assert.Equal([2L, train.Count, 14], x.shape);
        var perChain = loss.Compute(logits.unsqueeze(0).expand(2, -1, -1), y);
        double expected = Math.Log(1 + 6 * Math.Exp(-10));
        Assert.All(perChain.data<float>().ToArray(), v => Assert.Equal(expected, v, 5));
        Assert.Throws<ArgumentException>(() => loss.Compute(zeros(new long[] { 1, 2, 3, 4, 5 }), zeros(1, 2)));
    }

    [Fact]
    public void AnyUserLossWorksThroughTheLibrary()
    {
        using var scope = NewDisposeScope();
        var predictions = randn(3, 5, 2, generator: new Generator(1));
        var targets = randn(3, 5, 2, generator: new Generator(2));
        // A batched user loss, and the same as a single-model loss applied per chain.
        var l1 = new DelegateChainLoss("l1", (p, t) => (p - t).abs().sum(-1).mean([1]));
        var perChain = DelegateChainLoss.PerChain("l1", (p, t) => (p - t).abs().sum(-1).mean());
        var expected = (predictions - targets).abs().sum(-1).mean([1]);
        Assert.True(l1.Compute(predictions, targets).allclose(expected));
        Assert.True(perChain.Compute(predictions, targets).allclose(expected));
        Assert.Equal("l1", perChain.Name);
        var bad = new DelegateChainLoss("bad", (p, t) => (p - t).abs().mean());
        Assert.Throws<InvalidOperationException>(() => bad.Compute(predictions, targets));

        // Through an LLC potential: the user's loss at w* on a DLN task, with gradients.
        var task = new DlnTaskSpec(3, 2, [1.5], 0.0, 16, 4);
        using var train = task.LoadTraining();
        var model = ModelSpec.Parse("""{"type":"mlp","widths":[3,2],"activation":"relu"}""");
        using var module = model.Build(0);
        using var potential = new ModulePotential(module, train.Supervised, perChain);
        var center = potential.Center.unsqueeze(0);
        var gradient = zeros_like(center);
        double value = potential.Loss(center, null, gradient).item<float>();
        using (no_grad())
        {
            var direct = (module.call(train.Inputs) - train.Targets).abs().sum(-1).mean().item<float>();
            Assert.Equal(direct, value, 5);
        }
        Assert.True(gradient.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void TaskDataFromUserTensors()
    {
        using var data = new TaskData(ones(4, 2), zeros(4, 2), new SquaredErrorLoss());
        Assert.Equal(2f, data.Loss(data.Inputs, data.Targets).item<float>());
        Assert.False(data.IsClassification);
        Assert.Throws<ArgumentException>(() => new TaskData(ones(4, 2), zeros(3, 2), new SquaredErrorLoss()));
    }
}
