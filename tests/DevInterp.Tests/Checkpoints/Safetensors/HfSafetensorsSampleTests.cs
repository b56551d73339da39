using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;

namespace DevInterp.Tests.Checkpoints.Safetensors;

/// <summary>
/// The sample files of the huggingface/safetensors repository (written by safetensors.numpy.save from
/// np.array(range(-3, 3), dtype)): every readable dtype holds [-3, -2, -1, 0, 1, 2] (U8 wraps to 253..255),
/// metadata {"test": "a"}; U16 and U32 are listed but refused when read.
/// </summary>
public class HfSafetensorsSampleTests
{
    private static readonly double[] MinusThreeToTwo = [-3, -2, -1, 0, 1, 2];

    public static TheoryData<string, TensorDType, double[]> Readable => new()
    {
        { "B", TensorDType.UInt8, [253, 254, 255, 0, 1, 2] },
        { "b", TensorDType.Int8, MinusThreeToTwo },
        { "h", TensorDType.Int16, MinusThreeToTwo },
        { "i", TensorDType.Int32, MinusThreeToTwo },
        { "e", TensorDType.Float16, MinusThreeToTwo },
        { "f", TensorDType.Float32, MinusThreeToTwo },
        { "d", TensorDType.Float64, MinusThreeToTwo },
    };

    [Theory]
    [MemberData(nameof(Readable))]
    public void SingleDTypeFileHoldsMinusThreeToTwo(string name, TensorDType dtype, double[] expected)
    {
        string path = TestPaths.External($"hf_safetensors_samples/{name}.safetensors");
        using var reader = CheckpointFile.Open(path);
        Assert.Equal(CheckpointFormat.Safetensors, reader.Format);
        var info = Assert.Single(reader.Tensors);
        Assert.Equal(new TensorInfo(name, dtype, [6]), info);
        Assert.Equal(expected, reader.ReadDoubles(name));
        Assert.Equal("a", reader.Metadata["test"].ToString());
        Assert.Single(reader.Metadata);
    }

    [Theory]
    [InlineData("H", TensorDType.UInt16, "U16")]
    [InlineData("I", TensorDType.UInt32, "U32")]
    public void UnsignedWideFileOpensListsAndRefusesToRead(string name, TensorDType dtype, string code)
    {
        string path = TestPaths.External($"hf_safetensors_samples/{name}.safetensors");
        using var reader = CheckpointFile.Open(path);
        Assert.Equal(new TensorInfo(name, dtype, [6]), Assert.Single(reader.Tensors));
        var e = Assert.Throws<CheckpointFormatException>(() => reader.ReadBytes(name));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains($"tensor '{name}'", e.Message);
        Assert.Contains($"dtype {code}", e.Message);
        var viaSpan = Assert.Throws<CheckpointFormatException>(() => reader.ReadInto(name, new byte[6 * dtype.ByteSize()]));
        Assert.Contains($"dtype {code}", viaSpan.Message);
    }

    [Fact]
    public void OverallFileHoldsAllNineInHeaderOrderAndReadsTheSevenSupported()
    {
        string path = TestPaths.External("hf_safetensors_samples/overall.safetensors");
        using var reader = SafetensorsReader.Open(path);
        Assert.Equal(["B", "H", "I", "b", "d", "e", "f", "h", "i"], reader.Tensors.Select(t => t.Name));
        Assert.All(reader.Tensors, t => Assert.Equal([6L], t.Shape));
        Assert.Equal(new Dictionary<string, string> { ["test"] = "a" }, reader.RawMetadata);
        foreach (var (name, dtype, expected) in Readable.Select(row => ((string)row[0], (TensorDType)row[1], (double[])row[2])))
        {
            Assert.Equal(dtype, reader.GetTensor(name).DType);
            Assert.Equal(expected, reader.ReadDoubles(name));
        }
        Assert.Throws<CheckpointFormatException>(() => reader.ReadBytes("H"));
        Assert.Throws<CheckpointFormatException>(() => reader.ReadBytes("I"));
    }

    [Fact]
    public void Float16BytesAreTheIeeeHalfEncodings()
    {
        // -3, -2, -1, 0, 1, 2 as binary16: C200 C000 BC00 0000 3C00 4000, little-endian.
        using var reader = CheckpointFile.Open(TestPaths.External("hf_safetensors_samples/e.safetensors"));
        Assert.Equal(new byte[] { 0x00, 0xC2, 0x00, 0xC0, 0x00, 0xBC, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x40 }, reader.ReadBytes("e"));
    }

    [Fact]
    public void UnknownNameListsWhatTheFileHas()
    {
        using var reader = CheckpointFile.Open(TestPaths.External("hf_safetensors_samples/overall.safetensors"));
        var e = Assert.Throws<KeyNotFoundException>(() => reader.ReadBytes("nope"));
        Assert.Contains("'nope'", e.Message);
        Assert.Contains("B, H, I, b, d, e, f, h, i", e.Message);
    }
}
