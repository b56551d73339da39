using DevInterp.Checkpoints;
using DevInterp.Checkpoints.TorchSharpDat;

namespace DevInterp.Tests.Checkpoints.TorchSharpDat;

/// <summary>The other files TorchSharp writes with a .dat extension: each is recognised and refused (or routed) clearly.</summary>
public class TorchSharpDatRefusalTests
{
    public static TheoryData<string, string> OptimizerFiles => new()
    {
        { "sgd1.dat", "SGD" }, { "asgd1.dat", "ASGD" }, { "adam1.dat", "Adam" }, { "adamw1.dat", "AdamW" },
        { "nadam1.dat", "NAdam" }, { "radam1.dat", "RAdam" }, { "adamax1.dat", "Adamax" }, { "adadelta1.dat", "Adadelta" },
        { "adagrad1.dat", "Adagrad" }, { "rmsprop1.dat", "RMSProp" }, { "rprop1.dat", "Rprop" },
    };

    [Theory]
    [MemberData(nameof(OptimizerFiles))]
    public void OptimizerStateIsRefusedByName(string file, string optimizer)
    {
        string path = TestPaths.External($"torchsharp/{file}");
        Assert.Equal(CheckpointFormat.TorchSharpDat, CheckpointFile.Detect(path));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains($"TorchSharp optimizer state ({optimizer},", e.Message);
        Assert.Contains("not a state dict", e.Message);
        var head = File.ReadAllBytes(path);
        Assert.False(TorchSharpDatReader.LooksLikeStateDict(head.AsSpan(0, Math.Min(512, head.Length)), head.Length));
    }

    [Fact]
    public void SingleTensorFileIsRefusedWithItsShape()
    {
        // tensor2345.dat is Tensor.save / write_tensor output: no entry count, no name. Refused rather than read under an
        // invented name: DevInterp works on state dicts, and a bare tensor is not one.
        string path = TestPaths.External("torchsharp/tensor2345.dat");
        Assert.Equal(CheckpointFormat.TorchSharpDat, CheckpointFile.Detect(path));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("a single TorchSharp tensor (float32 [2, 3, 4, 5]", e.Message);
        Assert.Contains("not a state dict", e.Message);
    }

    [Theory]
    [InlineData("linrelu.script.dat")]
    [InlineData("scripted.script.dat")]
    [InlineData("l1000_100_10.script.dat")]
    [InlineData("func.script.dat")]
    [InlineData("tuple_out.dat")]
    [InlineData("list_out.dat")]
    [InlineData("exported.method.dat")]
    public void TorchScriptArchivesGoToThePyTorchReader(string file)
    {
        Assert.Equal(CheckpointFormat.PyTorchZip, CheckpointFile.Detect(TestPaths.External($"torchsharp/{file}")));
    }

    [Fact]
    public void OtherFormatsDoNotLookLikeStateDicts()
    {
        foreach (string relative in new[]
                 {
                     "hf_safetensors_samples/overall.safetensors", "burn/src/pytorch/tests/reader/test_data/simple_legacy.pt",
                     "burn/src/pytorch/tests/reader/test_data/float32.pt", "torchsharp/tensor2345.dat", "torchsharp/adam1.dat",
                 })
        {
            byte[] bytes = File.ReadAllBytes(TestPaths.External(relative));
            Assert.False(TorchSharpDatReader.LooksLikeStateDict(bytes.AsSpan(0, Math.Min(512, bytes.Length)), bytes.Length), relative);
        }
        byte[] bug510 = File.ReadAllBytes(TestPaths.External("torchsharp/bug510.dat"));
        Assert.True(TorchSharpDatReader.LooksLikeStateDict(bug510.AsSpan(0, 512), bug510.Length));
    }
}
