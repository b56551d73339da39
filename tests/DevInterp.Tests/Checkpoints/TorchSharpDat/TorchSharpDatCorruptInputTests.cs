using System.Text;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.TorchSharpDat;

namespace DevInterp.Tests.Checkpoints.TorchSharpDat;

/// <summary>Hand-made broken state dicts: each fails with a one-line message naming the file and the problem.</summary>
public class TorchSharpDatCorruptInputTests
{
    private readonly string _dir = TestPaths.NewTempDir();

    /// <summary>A valid two-entry dict: "a" f32 [2] = 1, 2 and "b" i64 [] = 7.</summary>
    private static byte[] Valid() =>
    [
        2,
        1, (byte)'a', 6, 1, 2, .. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f),
        1, (byte)'b', 4, 0, .. BitConverter.GetBytes(7L),
    ];

    [Fact]
    public void TheValidBaselineReads()
    {
        using var reader = TorchSharpDatReader.Open(WriteBytes(Valid()));
        Assert.Equal([1.0, 2.0], reader.ReadDoubles("a"));
        Assert.Equal([7.0], reader.ReadDoubles("b"));
    }

    [Fact]
    public void EveryTruncationIsRefusedAsTruncated()
    {
        byte[] valid = Valid();
        for (int length = 1; length < valid.Length; length++)
        {
            string path = WriteBytes(valid[..length]);
            var e = Assert.Throws<CheckpointFormatException>(() => TorchSharpDatReader.Open(path));
            AssertMessage(path, e, "truncated");
        }
    }

    [Fact]
    public void TruncatedReferenceFileIsReportedAsTruncatedThroughDetection()
    {
        // Cut inside the first tensor's header, inside its data, and inside later entries: detection must still route
        // the file to this reader so the message says "truncated", not "not a checkpoint".
        byte[] bug510 = File.ReadAllBytes(TestPaths.External("torchsharp/bug510.dat"));
        foreach (int length in new[] { 18, 20, 22, 100, 400, 500, 600, 1000, bug510.Length - 1 })
        {
            string path = WriteBytes(bug510[..length]);
            Assert.Equal(CheckpointFormat.TorchSharpDat, CheckpointFile.Detect(path));
            var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
            AssertMessage(path, e, "not a valid TorchSharp state dict", "truncated");
        }
    }

    [Fact]
    public void TrailingBytesAreRefused()
    {
        AssertRefused([.. Valid(), 0, 0, 0], "3 bytes follow the last of the 2 entries");
    }

    [Fact]
    public void DuplicateNameIsRefused()
    {
        byte[] bytes = Valid();
        bytes[Array.LastIndexOf(bytes, (byte)'b')] = (byte)'a';
        AssertRefused(bytes, "repeats the name 'a'");
    }

    [Fact]
    public void UnknownElementTypeIsRefused()
    {
        byte[] bytes = Valid();
        bytes[3] = 12; // QInt8
        AssertRefused(bytes, "tensor 'a'", "unknown element type code 12");
    }

    [Fact]
    public void TooManyDimensionsAreRefused()
    {
        AssertRefused([1, 1, (byte)'a', 6, 100, .. new byte[100]], "tensor 'a'", "100 dimensions is implausible");
    }

    [Fact]
    public void HugeDimensionIsRefusedWithoutAllocating()
    {
        // f32 [2^62]: fits in a long, its byte count does not.
        AssertRefused([1, 1, (byte)'a', 6, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40], "tensor 'a'", "overflows");
        // f32 [2^40]: a valid byte count far beyond the file.
        AssertRefused([1, 1, (byte)'a', 6, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20], "truncated", "tensor 'a'", "needs 4398046511104 data bytes");
    }

    [Fact]
    public void OverlongLeb128IsRefused()
    {
        AssertRefused([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "entry count", "not a valid LEB128 number");
    }

    [Fact]
    public void NameLongerThanTheFileIsRefused()
    {
        AssertRefused([1, 0xE8, 0x07, (byte)'a', (byte)'b'], "truncated", "the name of entry 0", "claims 1000 bytes");
    }

    [Fact]
    public void NameThatIsNotUtf8IsRefused()
    {
        AssertRefused([1, 2, 0xC3, 0x28, 0, 0, 5], "the name of entry 0", "not valid UTF-8");
    }

    [Fact]
    public void EmptyFileIsRefused()
    {
        string path = WriteBytes([]);
        AssertMessage(path, Assert.Throws<CheckpointFormatException>(() => TorchSharpDatReader.Open(path)), "empty file");
    }

    [Fact]
    public void NamesWithMultiByteCharactersAndLongNamesRead()
    {
        string longName = "blocks." + new string('x', 200) + ".wéight";
        byte[] name = Encoding.UTF8.GetBytes(longName);
        byte[] bytes = [1, (byte)(name.Length & 0x7F | 0x80), (byte)(name.Length >> 7), .. name, 0, 1, 3, 10, 20, 30];
        using var reader = CheckpointFile.Open(WriteBytes(bytes));
        Assert.Equal(new TensorInfo(longName, TensorDType.UInt8, [3]), Assert.Single(reader.Tensors));
        Assert.Equal([10.0, 20, 30], reader.ReadDoubles(longName));
    }

    [Fact]
    public void ComplexTensorsAreListedButRefusedWhenRead()
    {
        using var reader = CheckpointFile.Open(WriteBytes([1, 1, (byte)'z', 9, 1, 1, .. new byte[8]]));
        Assert.Equal(new TensorInfo("z", TensorDType.Complex64, [1]), Assert.Single(reader.Tensors));
        var e = Assert.Throws<CheckpointFormatException>(() => reader.ReadBytes("z"));
        Assert.Contains("tensor 'z' has dtype C64", e.Message);
    }

    private void AssertRefused(byte[] bytes, params string[] fragments)
    {
        string path = WriteBytes(bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchSharpDatReader.Open(path));
        AssertMessage(path, e, fragments);
    }

    private static void AssertMessage(string path, CheckpointFormatException e, params string[] fragments)
    {
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        foreach (string f in fragments) Assert.Contains(f, e.Message);
    }

    private string WriteBytes(byte[] bytes)
    {
        string path = Path.Combine(_dir, $"case-{Guid.NewGuid():N}.dat");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
