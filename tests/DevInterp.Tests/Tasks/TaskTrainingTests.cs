using DevInterp.Models;
using DevInterp.Tasks;
using DevInterp.Training;

namespace DevInterp.Tests.Tasks;

/// <summary>The new tasks through the trainer and the training config checks.</summary>
[Collection(GlobalTorchState.Name)]
public class TaskTrainingTests
{
    private static readonly ModularTaskSpec Add7 = new(7, ModularOperation.Add, 0.8, 1);

    private static TrainingConfig Config(ModelSpec model, TaskSpec task, long steps = 0) => new("modular", model, task,
        new TrainingSettings(steps, Optimizer: "adam", LearningRate: 0.02, Seed: 2, Schedule: CheckpointSchedule.LogSpaced(4), LossCurvePoints: 10));

    [Fact]
    public void AnMlpLearnsModularAdditionOnTheTrainingSet()
    {
        var model = ModelSpec.Parse("""{"type":"mlp","widths":[14,64,7],"activation":"relu"}""");
        var result = Trainer.Run(Config(model, Add7, steps: 300), TestPaths.NewTempDir());
        var (first, last) = (result.LossCurve[0].Loss, result.LossCurve[^1].Loss);
        Assert.InRange(first, Math.Log(7) - 0.3, Math.Log(7) + 0.3); // near-uniform logits at initialisation
        Assert.True(last < 0.05, $"train cross-entropy after 300 steps: {last}");
    }

    [Fact]
    public void ConfigChecksTokensAgainstTheModel()
    {
        var mlp = ModelSpec.Parse("""{"type":"mlp","widths":[14,16,7]}""");
        Config(mlp, Add7).Validate();
        var tokens = Add7 with { Encoding = ModularEncoding.Tokens };
        var e = Assert.Throws<SpecFormatException>(() => Config(mlp, tokens).Validate());
        Assert.Equal("model.type", e.Field);
        var transformer = ModelSpec.Parse("""{"type":"transformer","vocab":8,"context":3,"d_model":16,"heads":2,"layers":1,"d_mlp":32}""");
        Config(transformer, tokens).Validate();
        var small = ModelSpec.Parse("""{"type":"transformer","vocab":6,"context":3,"d_model":16,"heads":2,"layers":1,"d_mlp":32}""");
        Assert.Equal("model", Assert.Throws<SpecFormatException>(() => Config(small, tokens).Validate()).Field);
        var wide = ModelSpec.Parse("""{"type":"mlp","widths":[7,16,7]}""");
        Assert.Equal("model", Assert.Throws<SpecFormatException>(() => Config(wide, Add7).Validate()).Field);
    }
}
