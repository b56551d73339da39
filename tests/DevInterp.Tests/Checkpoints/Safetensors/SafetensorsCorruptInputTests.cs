using System.Text;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;

namespace DevInterp.Tests.Checkpoints.Safetensors;

/// <summary>Hand-made broken files: each must fail with a one-line message naming the file and the problem.</summary>
public class SafetensorsCorruptInputTests
{
    private const string F32Pair = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    private readonly string _dir = TestPaths.NewTempDir();

    [Fact]
    public void HeaderLengthBeyondTheFile()
    {
        string path = Write(F32Pair, data: 8, lengthOverride: 1000);
        AssertRefused(path, "truncated", "header length is 1000 bytes");
    }

    [Fact]
    public void HeaderLengthOverOneHundredMegabytes()
    {
        string path = Write(F32Pair, data: 8, lengthOverride: 200_000_000);
        AssertRefused(path, "200000000", "over the 100000000-byte limit");
    }

    [Fact]
    public void HeaderLengthOfAllOnesIsNotAWrappedNegative()
    {
        string path = Write(F32Pair, data: 8, lengthOverride: ulong.MaxValue);
        AssertRefused(path, "over the 100000000-byte limit");
    }

    [Fact]
    public void HeaderNotStartingWithBrace()
    {
        string path = Write(" " + F32Pair, data: 8);
        AssertRefusedByReader(path, "does not start with '{'");
        // Through detection the file is no checkpoint at all, still named and explained.
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("not a checkpoint", e.Message);
    }

    [Fact]
    public void InvalidJson()
    {
        AssertRefused(Write("{\"a\":{\"dtype\":\"F32\",", data: 0), "not valid JSON");
        AssertRefused(Write("{\"a\":1,}", data: 0), "not valid JSON");
    }

    [Fact]
    public void InvalidUtf8InTheHeader()
    {
        byte[] header = Encoding.ASCII.GetBytes("{\"a?\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}");
        header[3] = 0xFF; // the '?': a byte that never occurs in UTF-8
        AssertRefused(WriteRaw(header, new byte[1]), "not valid UTF-8");
    }

    [Fact]
    public void LoneSurrogateEscapeInAName()
    {
        AssertRefused(Write("{\"a\\ud800\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", data: 1), "cannot be decoded");
    }

    [Fact]
    public void OverlappingTensors()
    {
        string path = Write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data: 12);
        AssertRefused(path, "tensor 'b'", "overlaps the previous tensor");
    }

    [Fact]
    public void GapBetweenTensors()
    {
        string path = Write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", data: 20);
        AssertRefused(path, "gap in the data", "tensor 'b' starts at 12");
    }

    [Fact]
    public void FirstTensorNotAtOffsetZero()
    {
        AssertRefused(Write("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data: 12), "gap in the data", "'a' starts at 4");
    }

    [Fact]
    public void TrailingBytesAfterTheLastTensor()
    {
        AssertRefused(Write(F32Pair, data: 12), "4 trailing bytes");
    }

    [Fact]
    public void DataShorterThanTheTensorsNeed()
    {
        AssertRefused(Write(F32Pair, data: 5), "truncated", "need 8 data bytes", "holds 5");
    }

    [Fact]
    public void UnknownDType()
    {
        AssertRefused(Write("{\"a\":{\"dtype\":\"F128\",\"shape\":[2],\"data_offsets\":[0,32]}}", data: 32), "tensor 'a'", "unknown dtype 'F128'");
    }

    [Fact]
    public void ShapeDisagreesWithOffsets()
    {
        AssertRefused(Write("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data: 8),
            "tensor 'a'", "shape [3] of F32 needs 12 bytes", "span 8");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2.5")]
    [InlineData("\"2\"")]
    [InlineData("1e1")]
    [InlineData("null")]
    public void ShapeEntryThatIsNotANonNegativeInteger(string dim)
    {
        string path = Write($"{{\"a\":{{\"dtype\":\"U8\",\"shape\":[{dim}],\"data_offsets\":[0,2]}}}}", data: 2);
        AssertRefused(path, "tensor 'a'", $"shape entry {dim} is not a non-negative integer");
    }

    [Fact]
    public void ShapeWhoseByteCountOverflows()
    {
        string path = Write("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", data: 8);
        AssertRefused(path, "tensor 'a'", "overflows");
    }

    [Theory]
    [InlineData("[\"0\",\"8\"]")]
    [InlineData("[0]")]
    [InlineData("[0,8,16]")]
    [InlineData("[-8,0]")]
    [InlineData("{\"begin\":0}")]
    public void MalformedDataOffsets(string offsets)
    {
        string path = Write($"{{\"a\":{{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":{offsets}}}}}", data: 8);
        AssertRefused(path, "tensor 'a'", "data_offsets");
    }

    [Fact]
    public void OffsetsThatEndBeforeTheyBegin()
    {
        AssertRefused(Write("{\"a\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[8,0]}}", data: 8), "tensor 'a'", "end before they begin");
    }

    [Fact]
    public void DuplicateTensorName()
    {
        string entry = "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
        AssertRefused(Write("{" + entry + "," + entry + "}", data: 1), "lists 'a' twice");
    }

    [Fact]
    public void DuplicateFieldInsideAnEntry()
    {
        AssertRefused(Write("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1]}}", data: 1), "tensor 'a'", "lists 'dtype' twice");
    }

    [Fact]
    public void MissingFields()
    {
        AssertRefused(Write("{\"a\":{\"shape\":[1],\"data_offsets\":[0,1]}}", data: 1), "tensor 'a'", "missing dtype");
        AssertRefused(Write("{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", data: 1), "tensor 'a'", "missing shape");
        AssertRefused(Write("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}", data: 1), "tensor 'a'", "data_offsets");
        AssertRefused(Write("{\"a\":[]}", data: 0), "tensor 'a'", "not an object");
    }

    [Fact]
    public void MetadataValuesMustBeStrings()
    {
        AssertRefused(Write("{\"__metadata__\":{\"step\":100}}", data: 0), "__metadata__ entry 'step' must be a string");
        AssertRefused(Write("{\"__metadata__\":[\"x\"]}", data: 0), "__metadata__ must be an object of strings");
    }

    [Fact]
    public void NullMetadataIsAcceptedAsNone()
    {
        // serde (the reference) reads "__metadata__": null as no metadata.
        using var reader = SafetensorsReader.Open(Write("{\"__metadata__\":null}", data: 0));
        Assert.Empty(reader.Metadata);
        Assert.Empty(reader.Tensors);
    }

    [Fact]
    public void UnknownFieldsInAnEntryAreIgnoredAsTheReferenceDoes()
    {
        using var reader = SafetensorsReader.Open(Write("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"extra\":{\"x\":1}}}", data: 1));
        Assert.Equal(new TensorInfo("a", TensorDType.UInt8, [1]), Assert.Single(reader.Tensors));
    }

    [Fact]
    public void TooShortForTheLengthField()
    {
        string path = Path.Combine(_dir, "short.safetensors");
        File.WriteAllBytes(path, [8, 0, 0, 0]);
        AssertRefusedByReader(path, "truncated", "4 bytes");
    }

    [Fact]
    public void HeaderTooSmallForAnObject()
    {
        AssertRefusedByReader(WriteRaw([(byte)'{'], []), "cannot hold a JSON object");
    }

    [Fact]
    public void EmptyFile()
    {
        string path = Path.Combine(_dir, "empty.safetensors");
        File.WriteAllBytes(path, []);
        AssertRefusedByReader(path, "truncated", "0 bytes");
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path));
        Assert.Equal($"{path}: empty file (0 bytes)", e.Message);
    }

    /// <summary>Opens through detection (the path users take) and checks the message.</summary>
    private static void AssertRefused(string path, params string[] fragments)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointFile.Open(path).Dispose());
        AssertMessage(path, e, fragments);
    }

    private static void AssertRefusedByReader(string path, params string[] fragments)
    {
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsReader.Open(path).Dispose());
        AssertMessage(path, e, fragments);
    }

    private static void AssertMessage(string path, CheckpointFormatException e, string[] fragments)
    {
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        foreach (string f in fragments) Assert.Contains(f, e.Message);
    }

    private string Write(string header, int data, ulong? lengthOverride = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        return WriteRaw(json, Enumerable.Range(0, data).Select(i => (byte)i).ToArray(), lengthOverride);
    }

    private string WriteRaw(byte[] header, byte[] data, ulong? lengthOverride = null)
    {
        string path = Path.Combine(_dir, $"case-{Guid.NewGuid():N}.safetensors");
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes(lengthOverride ?? (ulong)header.Length));
        stream.Write(header);
        stream.Write(data);
        return path;
    }
}
