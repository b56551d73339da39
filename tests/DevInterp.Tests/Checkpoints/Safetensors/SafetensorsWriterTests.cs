using System.Text;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using TorchSharp;

namespace DevInterp.Tests.Checkpoints.Safetensors;

public class SafetensorsWriterTests
{
    [Fact]
    public void TinyFileMatchesTheFormatByteForByte()
    {
        // Hand-computed from the format: u64 LE header length, compact JSON, spaces up to a multiple of 8, then data.
        // {"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 54 bytes, padded to 56; data 1.0f, -2.0f.
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "tiny.safetensors");
        SafetensorsWriter.Write(path, [(new TensorInfo("w", TensorDType.Float32, [2]), (ReadOnlyMemory<byte>)Floats(1f, -2f))]);

        var expected = new List<byte> { 56, 0, 0, 0, 0, 0, 0, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  "));
        expected.AddRange(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0 });
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void MetadataComesFirstAndPaddingKeepsDataAligned()
    {
        // 79 bytes of JSON, one space of padding: data starts at 8 + 80 = 88, a multiple of 8.
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "meta.safetensors");
        SafetensorsWriter.Write(path, [(new TensorInfo("w", TensorDType.Float32, [2]), (ReadOnlyMemory<byte>)Floats(1f, -2f))],
            new Dictionary<string, string> { ["k"] = "v" });
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(80UL, BitConverter.ToUInt64(bytes, 0));
        Assert.Equal("{\"__metadata__\":{\"k\":\"v\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} ",
            Encoding.ASCII.GetString(bytes, 8, 80));
        Assert.Equal(88 + 8, bytes.Length);
    }

    public static TheoryData<TensorDType> SupportedDTypes => new(TensorDTypes.Supported);

    [Theory]
    [MemberData(nameof(SupportedDTypes))]
    public void EveryDTypeRoundTripsIncludingScalarAndEmpty(TensorDType dtype)
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, $"{dtype}.safetensors");
        var random = new Random(1234 + (int)dtype);
        var tensors = new List<(TensorInfo, ReadOnlyMemory<byte>)>();
        foreach (var (name, shape) in new (string, long[])[] { ("matrix", [3, 5]), ("scalar", []), ("empty", [0, 4]), ("vector", [7]) })
        {
            var info = new TensorInfo(name, dtype, shape);
            var data = new byte[info.ByteCount];
            random.NextBytes(data);
            if (dtype == TensorDType.Bool) for (int i = 0; i < data.Length; i++) data[i] &= 1;
            tensors.Add((info, data));
        }
        var metadata = new Dictionary<string, string> { ["step"] = "100", ["note"] = "héllo \"quoted\"" };
        SafetensorsWriter.Write(path, tensors, metadata);

        using var reader = CheckpointFile.Open(path);
        Assert.Equal(tensors.Select(t => t.Item1), reader.Tensors);
        foreach (var (info, data) in tensors) Assert.Equal(data.ToArray(), reader.ReadBytes(info.Name));
        Assert.Equal(metadata, ((SafetensorsReader)reader).RawMetadata);
        Assert.True(reader.Metadata["step"].TryGetInt64(out long step) && step == 100);
        Assert.Equal(0, (8 + (long)BitConverter.ToUInt64(File.ReadAllBytes(path), 0)) % 8);
    }

    [Fact]
    public void TorchTensorsRoundTripThroughReadTorch()
    {
        using var scope = torch.NewDisposeScope();
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "torch.safetensors");
        torch.random.manual_seed(7);
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["a"] = torch.randn(4, 3, dtype: torch.float64),
            ["b"] = torch.randn(2, 6).to(torch.bfloat16).t(), // non-contiguous: written contiguous
            ["c"] = torch.tensor(new[] { true, false, true }),
            ["d"] = torch.tensor(42L),
        };
        SafetensorsWriter.Write(path, tensors);
        using var reader = CheckpointFile.Open(path);
        foreach (var (name, expected) in tensors)
        {
            using var actual = reader.ReadTorch(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.Equal(expected.contiguous().bytes.ToArray(), actual.bytes.ToArray());
        }
    }

    [Fact]
    public void NamesAreWrittenAsPlainUtf8()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "names.safetensors");
        SafetensorsWriter.Write(path, [(new TensorInfo("layer+1.wéight", TensorDType.UInt8, [1]), (ReadOnlyMemory<byte>)new byte[] { 9 })]);
        byte[] bytes = File.ReadAllBytes(path);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes, 0));
        Assert.Contains("\"layer+1.wéight\"", header);
        using var reader = CheckpointFile.Open(path);
        Assert.Equal([9.0], reader.ReadDoubles("layer+1.wéight"));
    }

    [Fact]
    public void WriterRefusesDuplicatesReservedNamesAndWrongSizes()
    {
        string dir = TestPaths.NewTempDir();
        string path = Path.Combine(dir, "bad.safetensors");
        var one = new TensorInfo("x", TensorDType.UInt8, [1]);
        var dup = Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [(one, (ReadOnlyMemory<byte>)new byte[1]), (one, (ReadOnlyMemory<byte>)new byte[1])]));
        Assert.Contains("'x' appears twice", dup.Message);
        Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [(one with { Name = "__metadata__" }, (ReadOnlyMemory<byte>)new byte[1])]));
        Assert.Throws<InvalidOperationException>(() => SafetensorsWriter.Write(path, [(one, (ReadOnlyMemory<byte>)new byte[2])]));
        Assert.Throws<ArgumentException>(() =>
            SafetensorsWriter.Write(path, [(new TensorInfo("u", TensorDType.UInt16, [1]), (ReadOnlyMemory<byte>)new byte[2])]));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir)); // no temporary file left behind
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
