using DevInterp.Checkpoints;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>From a checkpoint to the LLC's potential: batched when the spec has a chain model, any module otherwise.</summary>
public class CheckpointPotentialsTests
{
    private static readonly LlcOptions Short = new(Chains: 2, Draws: 10, BurnIn: 10, StepSize: 1e-5, Seed: 3, TargetRelativeError: null);

    [Theory]
    [InlineData("tms", 4000)]
    [InlineData("dln", 97)]
    public void ShippedCheckpointGivesTheRecordedLossAndTheSameEstimateBothWays(string run, long step)
    {
        var r = Run.Open(Path.Combine(TestPaths.RepoRoot, "checkpoints", run));
        var spec = ModelSpec.Parse(r.Manifest!.Model!);
        using var task = TaskSpec.Parse(r.Manifest.Task!).Generate(ScalarType.Float64);
        // Both shipped tasks train on the plain squared error (the TMS run has importance_decay 1).
        Assert.True(task.OutputWeights is null || task.OutputWeights.eq(1).all().item<bool>());
        var data = new SupervisedData(task.Inputs, task.Targets);
        var loss = new SquaredErrorLoss();
        var checkpoint = r.Checkpoints.Single(c => c.Step == step);
        using var reader = checkpoint.Open();

        using var batched = CheckpointPotentials.Create(spec, reader, data, loss, new CheckpointPotentialOptions(ScalarType.Float64));
        using var perModule = CheckpointPotentials.Create(spec, reader, data, loss, new CheckpointPotentialOptions(ScalarType.Float64, Batched: false));
        Assert.IsType<BatchedPotential>(batched);
        Assert.IsNotType<BatchedPotential>(perModule);
        Assert.Equal(spec.ParameterCount, batched.Dimension);
        Assert.Equal(task.Count, batched.SampleCount);

        // w* is the checkpoint, and L(w*) is the training loss the trainer recorded for it (float32 there).
        var flat = cat(reader.Tensors.Select(t => reader.ReadTorch(t.Name, ScalarType.Float64).flatten()).ToArray());
        Assert.Equal(0.0, (batched.Center - flat).abs().max().item<double>());
        double recorded = checkpoint.Metrics["train_loss"];
        double atCenter = batched.Loss(batched.Center.unsqueeze(0), null, null).item<double>();
        Assert.True(Math.Abs(atCenter - recorded) <= 1e-5 * recorded, $"L(w*) = {atCenter:R}, recorded {recorded:R}");

        var estimator = new LlcEstimator(Short);
        EstimatorEquivalenceTests.AssertSame(estimator.Estimate(batched), estimator.Estimate(perModule), run);
    }

    [Fact]
    public void AnyModuleWorksAndANameMapBringsItsStateDictToTheSpec()
    {
        // A user's nn.Sequential names its layers 0, 2, ...; the MLP spec calls them layers.0, layers.2, ...
        using var scope = NewDisposeScope();
        using var user = nn.Sequential(nn.Linear(3, 5, dtype: ScalarType.Float64), nn.Tanh(), nn.Linear(5, 2, dtype: ScalarType.Float64));
        var stateDict = user.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        Assert.Contains("2.weight", stateDict.Keys);
        using var gen = new Generator(9);
        var data = new SupervisedData(randn([40, 3], dtype: ScalarType.Float64, generator: gen), randn([40, 2], dtype: ScalarType.Float64, generator: gen));
        var spec = new MlpSpec([3, 5, 2], "tanh");
        var map = new NameMap([NameRule.Pattern(@"^(\d+)\.", "layers.$1.")], []);
        var options = new CheckpointPotentialOptions(ScalarType.Float64, Load: new StateDictLoadOptions(Map: map));

        using var batched = CheckpointPotentials.Create(spec, stateDict, data, new SquaredErrorLoss(), options);
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"], batched.Parameters.Select(p => p.Name));
        using var fromUser = CheckpointPotentials.Create(user, stateDict, data, new SquaredErrorLoss(), options with { Load = null });
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], fromUser.Parameters.Select(p => p.Name));

        var estimator = new LlcEstimator(Short with { StepSize = 1e-3, BatchSize = 8 });
        EstimatorEquivalenceTests.AssertSame(estimator.Estimate(batched), estimator.Estimate(fromUser), "user module");
    }

    [Fact]
    public void ACheckpointThatDoesNotFitNamesEveryProblem()
    {
        using var scope = NewDisposeScope();
        var spec = new MlpSpec([3, 5, 2]);
        var stateDict = new Dictionary<string, Tensor>
        {
            ["layers.0.weight"] = zeros(5, 3), ["layers.0.bias"] = zeros(5), ["layers.2.weight"] = zeros(2, 4), ["extra"] = zeros(1),
        };
        var data = new SupervisedData(zeros(4, 3), zeros(4, 2));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointPotentials.Create(spec, stateDict, data, new SquaredErrorLoss()));
        Assert.Contains("missing from the checkpoint (1): 'layers.2.bias'", e.Message);
        Assert.Contains("unexpected in the checkpoint (1): 'extra'", e.Message);
        Assert.Contains("'layers.2.weight' is [2, 4], the module expects [2, 5]", e.Message);
    }
}
