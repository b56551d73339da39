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
    [InlineData("epoch=2-step=1200.ckpt", 1200, StepUnit.Step)]
    [InlineData("epoch=7.ckpt", 7, StepUnit.Epoch)]
    [InlineData("epoch=2-val_loss=0.37.ckpt", 2, StepUnit.Epoch)]
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

    [Fact]
    public void LightningNamesCarryMetricValues()
    {
        Assert.Equal(new Dictionary<string, double> { ["val_loss"] = 0.37, ["val_acc"] = 0.9 }, CheckpointName.Values("epoch=2-val_loss=0.37-val_acc=0.9.ckpt"));
        Assert.Empty(CheckpointName.Values("epoch=2-step=1200.ckpt"));
        Assert.Empty(CheckpointName.Values("step_100.pt"));
    }

    [Theory]
    [InlineData("400.pth", true)]
    [InlineData("step_400.pth", false)]
    [InlineData("final.pth", false)]
    public void BareNumbersAreTold(string name, bool bare)
    {
        Assert.Equal(bare, CheckpointName.IsBareNumber(name));
    }
}
