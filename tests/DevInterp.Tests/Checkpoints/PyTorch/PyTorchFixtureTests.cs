using System.Runtime.InteropServices;
using DevInterp.Checkpoints;

namespace DevInterp.Tests.Checkpoints.PyTorch;

/// <summary>
/// The fixtures written by Fixtures/pytorch/make_fixtures.py with real PyTorch 1.13; every literal below is a value the
/// script printed.
/// </summary>
public class PyTorchFixtureTests
{
    private static readonly double[] Mlp0Weight =
    [
        -0.47102075815200806, -0.09810143709182739, -0.24015581607818604, -0.1333586573600769, -0.4416992664337158,
        0.20064473152160645, -0.44820261001586914, -0.03186076879501343, 0.17280612885951996, -0.16953803598880768,
        0.2827080488204956, 0.06206320598721504, 0.2738505005836487, 0.31980258226394653, -0.22172345221042633,
        0.1807110756635666, -0.21732504665851593, 0.15573041141033173, -0.26224416494369507, 0.23028449714183807,
        0.10122263431549072, -0.19567155838012695, -0.24524784088134766, 0.12936186790466309, 0.4655110836029053,
        0.2389492243528366, -0.04928208515048027, -0.0252691637724638, 0.28419435024261475, -0.34750378131866455,
        0.1662244200706482, -0.16567695140838623,
    ];

    private static readonly double[] Mlp0Bias =
    [
        0.2892904281616211, -0.17836028337478638, 0.023723768070340157, 0.16784070432186127, 0.34261471033096313,
        -0.07349169254302979, 0.4551458954811096, -0.4230230450630188,
    ];

    private static readonly double[] Mlp2Weight =
    [
        -0.06306622177362442, -0.35255488753318787, 0.030288349837064743, 0.10133145749568939, -0.14212079346179962,
        0.1468389481306076, -0.056314192712306976, -0.3072335720062256, 0.27143460512161255, 0.2179880440235138,
        0.1777593195438385, 0.28101617097854614, 0.12900865077972412, 0.1879808008670807, 0.292390376329422,
        -0.07123487442731857,
    ];

    private static readonly double[] Mlp2Bias = [-0.27473825216293335, -0.17487484216690063];

    private static string Fixture(string name) => TestPaths.Fixture("pytorch/" + name);

    public static TheoryData<string> MlpFiles() =>
    [
        "training_checkpoint.pt", "training_checkpoint_archive.pt", "training_checkpoint_deflated.pt", "big_endian.pt",
        "zip64.pt", "hf_run/checkpoint-10/pytorch_model.bin", "hf_run/checkpoint-10",
    ];

    [Theory]
    [MemberData(nameof(MlpFiles))]
    public void MlpWeightsMatchPyTorchInEveryLayout(string file)
    {
        using var reader = CheckpointFile.Open(Fixture(file));
        Assert.Equal(CheckpointFormat.PyTorchZip, reader.Format);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], reader.Tensors.Select(t => t.Name));
        Assert.Equal([8L, 4], reader.GetTensor("0.weight").Shape);
        Assert.Equal([2L, 8], reader.GetTensor("2.weight").Shape);
        Assert.All(reader.Tensors, t => Assert.Equal(TensorDType.Float32, t.DType));
        Assert.Equal(Mlp0Weight, reader.ReadDoubles("0.weight"));
        Assert.Equal(Mlp0Bias, reader.ReadDoubles("0.bias"));
        Assert.Equal(Mlp2Weight, reader.ReadDoubles("2.weight"));
        Assert.Equal(Mlp2Bias, reader.ReadDoubles("2.bias"));

        // PyTorch printed MLP forward(ones(1, 4)) = [-0.28697139024734497, 0.4430670142173767].
        float[] w0 = reader.ReadFloats("0.weight"), b0 = reader.ReadFloats("0.bias"), w2 = reader.ReadFloats("2.weight"), b2 = reader.ReadFloats("2.bias");
        var hidden = new float[8];
        for (int i = 0; i < 8; i++) hidden[i] = MathF.Max(0, w0[4 * i] + w0[4 * i + 1] + w0[4 * i + 2] + w0[4 * i + 3] + b0[i]);
        for (int o = 0; o < 2; o++)
        {
            float y = b2[o];
            for (int i = 0; i < 8; i++) y += w2[8 * o + i] * hidden[i];
            Assert.Equal(o == 0 ? -0.28697139024734497 : 0.4430670142173767, y, 1e-6);
        }
    }

    [Theory]
    [InlineData("training_checkpoint.pt")]
    [InlineData("training_checkpoint_archive.pt")]
    [InlineData("training_checkpoint_deflated.pt")]
    [InlineData("big_endian.pt")]
    public void TrainingCheckpointScalarsBecomeMetadata(string file)
    {
        using var reader = CheckpointFile.Open(Fixture(file));
        Assert.Equal(new MetadataValue.Integer(3), reader.Metadata["epoch"]);
        Assert.Equal(new MetadataValue.Real(0.2), reader.Metadata["train_loss"]);
        Assert.Equal(new MetadataValue.Real(0.9), reader.Metadata["val_acc"]); // np.float64(0.9)
        Assert.Equal(new MetadataValue.Integer(1200), reader.Metadata["step"]);
        Assert.DoesNotContain(reader.Metadata.Keys, k => k.StartsWith("optimizer", StringComparison.Ordinal));
        Assert.Equal(4, reader.Metadata.Count);
    }

    [Fact]
    public void PtAndSafetensorsOfTheSameMlpAreBitIdentical()
    {
        using var pt = CheckpointFile.Open(Fixture("training_checkpoint.pt"));
        using var st = CheckpointFile.Open(Fixture("mlp.safetensors"));
        Assert.Equal(CheckpointFormat.Safetensors, st.Format);
        Assert.Equal(st.Tensors.Select(t => t.Name), pt.Tensors.Select(t => t.Name));
        foreach (var t in st.Tensors)
        {
            Assert.Equal(t, pt.GetTensor(t.Name));
            Assert.Equal(st.ReadBytes(t.Name), pt.ReadBytes(t.Name));
        }
    }

    [Fact]
    public void TransposedTensorAtTheRootIsNamedTensor()
    {
        using var reader = CheckpointFile.Open(Fixture("transposed.pt"));
        var info = Assert.Single(reader.Tensors);
        Assert.Equal("tensor", info.Name);
        Assert.Equal([4L, 3], info.Shape);
        Assert.Equal([0.0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], reader.ReadDoubles("tensor"));
    }

    [Fact]
    public void SlicedViewWithOffsetAndStride()
    {
        using var reader = CheckpointFile.Open(Fixture("sliced.pt"));
        Assert.Equal([2L, 3], reader.GetTensor("sliced").Shape);
        Assert.Equal([7.0, 9, 11, 13, 15, 17], reader.ReadDoubles("sliced"));
    }

    [Fact]
    public void EntriesSharingOneStorage()
    {
        using var reader = CheckpointFile.Open(Fixture("shared_storage.pt"));
        Assert.All(reader.Tensors, t => Assert.Equal(TensorDType.Int64, t.DType));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (double)i), reader.ReadDoubles("full"));
        Assert.Equal([3.0, 4, 5, 6], reader.ReadDoubles("middle"));
        Assert.Equal([2L, 5], reader.GetTensor("matrix").Shape);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (double)i), reader.ReadDoubles("matrix"));
        Assert.Equal([2L, 3], reader.GetTensor("columns").Shape);
        Assert.Equal([1.0, 2, 3, 6, 7, 8], reader.ReadDoubles("columns"));
    }

    [Fact]
    public void HalfPrecisionBitsAreExact()
    {
        using var reader = CheckpointFile.Open(Fixture("half.pt"));
        Assert.Equal(TensorDType.BFloat16, reader.GetTensor("bf16").DType);
        Assert.Equal(TensorDType.Float16, reader.GetTensor("f16").DType);
        Assert.Equal(new short[] { 16320, -16368, 14979, 18304, -32768 }, MemoryMarshal.Cast<byte, short>(reader.ReadBytes("bf16")).ToArray());
        Assert.Equal(new short[] { 14336, -17408, 16384, 1678, 31743, -15744 }, MemoryMarshal.Cast<byte, short>(reader.ReadBytes("f16")).ToArray());
        Assert.Equal([1.5, -2.25, 0.00099945068359375, 65536.0, -0.0], reader.ReadDoubles("bf16"));
        Assert.Equal([0.5, -1.0, 2.0, 0.00010001659393310547, 65504.0, -3.25], reader.ReadDoubles("f16"));
    }

    [Fact]
    public void LegacyFormatWithViews()
    {
        using var reader = CheckpointFile.Open(Fixture("legacy.pt"));
        Assert.Equal(CheckpointFormat.PyTorchLegacy, reader.Format);
        Assert.Equal(["weight", "bias", "window", "tail", "head"], reader.Tensors.Select(t => t.Name));
        Assert.Equal(Mlp0Weight, reader.ReadDoubles("weight"));
        Assert.Equal(Mlp0Bias, reader.ReadDoubles("bias"));
        Assert.Equal([7.0, 9, 11, 13, 15, 17], reader.ReadDoubles("window"));
        Assert.Equal([6.0, 7, 8, 9], reader.ReadDoubles("tail"));
        Assert.Equal([0.0, 1, 2, 3], reader.ReadDoubles("head"));
    }

    [Fact]
    public void TarLayoutAsTorchLegacyLoadReadsIt()
    {
        using var reader = CheckpointFile.Open(Fixture("tar_format.tar"));
        Assert.Equal(CheckpointFormat.PyTorchTar, reader.Format);
        Assert.Equal(["weight", "strided", "counts"], reader.Tensors.Select(t => t.Name));
        Assert.Equal([2L, 2], reader.GetTensor("weight").Shape);
        Assert.Equal([1.0, 2, 3, 4], reader.ReadDoubles("weight"));
        Assert.Equal([2.0, 4], reader.ReadDoubles("strided"));
        Assert.Equal(TensorDType.Int64, reader.GetTensor("counts").DType);
        Assert.Equal([7.0, 8, 9], reader.ReadDoubles("counts"));
    }

    [Fact]
    public void WholePickledModelIsRefused()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(Fixture("whole_model.pt")));
        Assert.Contains("refused global 'torch.nn.modules.container.Sequential'", e.Message);
        Assert.Contains("save model.state_dict() with torch.save instead", e.Message);
        Assert.Contains("weights_only=True", e.Message);
    }

    [Fact]
    public void TorchScriptArchiveIsRefused()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(Fixture("mlp_script.pt")));
        Assert.EndsWith("TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead", e.Message);
    }

    [Fact]
    public void SeveralCandidatesNeedAKey()
    {
        string path = Fixture("two_candidates.pt");
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.True(e.Message.Contains("several state dicts found: 'module.state_dict', 'ema.0'; pass --key"), e.Message);

        using (var a = CheckpointFile.Open(path, new CheckpointOpenOptions("module.state_dict")))
        {
            Assert.Equal(["w"], a.Tensors.Select(t => t.Name));
            Assert.Equal([-0.1467950940132141, 0.7861412763595581, 0.9468216300010681, -1.1143440008163452], a.ReadDoubles("w"));
            Assert.Equal(new MetadataValue.Text("two models"), a.Metadata["note"]);
        }
        using (var b = CheckpointFile.Open(path, new CheckpointOpenOptions("ema.0")))
            Assert.Equal([4.0, 4, 4], b.ReadDoubles("w"));
        using (var c = CheckpointFile.Open(path, new CheckpointOpenOptions("module.state_dict.w")))
            Assert.Equal("module.state_dict.w", Assert.Single(c.Tensors).Name);

        var missing = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path, new CheckpointOpenOptions("module.weights")));
        Assert.True(missing.Message.Contains("key 'module.weights' not found: 'module' holds a dict with keys 'state_dict' (dict of 1 entries)"), missing.Message);
        var notDict = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path, new CheckpointOpenOptions("note")));
        Assert.Contains("key 'note' is a str, not a state dict or tensor", notDict.Message);
    }

    [Fact]
    public void NumpyScalarsAndZeroDimTensorsBecomeMetadata()
    {
        using var reader = CheckpointFile.Open(Fixture("extras.pt"));
        Assert.Equal(["w"], reader.Tensors.Select(t => t.Name));
        Assert.Equal([1.0, 2.0], reader.ReadDoubles("w"));
        Assert.Equal(new MetadataValue.Integer(7), reader.Metadata["np_int"]);
        Assert.Equal(new MetadataValue.Flag(true), reader.Metadata["np_bool"]);
        Assert.Equal(new MetadataValue.Real(0.5), reader.Metadata["np_f32"]);
        Assert.Equal(new MetadataValue.Real(0.75), reader.Metadata["best"]); // torch.tensor(0.75), 0-dim
        Assert.Equal(new MetadataValue.Flag(false), reader.Metadata["flag"]);
        Assert.Equal(new MetadataValue.Text("run-1"), reader.Metadata["name"]);
        Assert.Equal(new MetadataValue.Text("1180591620717411303424"), reader.Metadata["big"]); // 2**70
        Assert.False(reader.Metadata.ContainsKey("np_array"));
        Assert.False(reader.Metadata.ContainsKey("nothing"));
    }

    [Fact]
    public void MissingTensorNameIsKeyNotFound()
    {
        using var reader = CheckpointFile.Open(Fixture("sliced.pt"));
        var e = Assert.Throws<KeyNotFoundException>(() => reader.ReadInto("nope", new byte[4]));
        Assert.Contains("no tensor named 'nope'", e.Message);
    }
}
