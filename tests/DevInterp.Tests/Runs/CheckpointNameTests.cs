using DevInterp.Runs;

namespace DevInterp.Tests.Runs;

public class CheckpointNameTests
{
    [Theory]
    [InlineData("step_000100.safetensors", 100, StepUnit.Step)]
    [InlineData("step-100.pt", 100, StepUnit.Step)]
    [InlineData("step100.pth", 100, StepUnit.Step)]
    [InlineData("checkpoint-500", 500, StepUnit.Step)]
    [InlineData("model_global_step7.bin", 7, StepUnit.Step)]
    [InlineData("iter_0042.pt", 42, StepUnit.Step)]
    [InlineData("epoch_12.pt", 12, StepUnit.Epoch)]
    [InlineData("epoch-3.safetensors", 3, StepUnit.Epoch)]
    [InlineData("epoch_init.pt", 0, StepUnit.Epoch)]
    [InlineData("1200.pth", 1200, StepUnit.Step)]
    [InlineData("0.safetensors", 0, StepUnit.Step)]
    [InlineData("run3_step_20.pt", 20, StepUnit.Step)]
    public void ReadsTheStepFromCommonNamingSchemes(string name, long step, StepUnit unit)
    {
        Assert.Equal((step, unit), CheckpointName.Parse(name));
    }

    [Theory]
    [InlineData("final.pth")]
    [InlineData("model.safetensors")]
    [InlineData("laststep.pt")]
    [InlineData("checkpoint_best.pt")]
    [InlineData("v2.pt")]
    [InlineData("epochs.pt")]
    public void NamesWithoutAStepGiveNull(string name)
    {
        Assert.Null(CheckpointName.Parse(name));
    }
}
