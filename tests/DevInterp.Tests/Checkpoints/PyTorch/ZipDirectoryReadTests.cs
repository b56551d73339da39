using System.IO.Compression;
using DevInterp.Checkpoints;

namespace DevInterp.Tests.Checkpoints.PyTorch;

/// <summary>
/// The zip reader reads the last 4 KiB of a file first; archives whose end record or central directory lie outside
/// that window (a long archive comment, hundreds of entries) read the same as small ones.
/// </summary>
public class ZipDirectoryReadTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(10_000, 0)]
    [InlineData(65_535, 0)]
    [InlineData(0, 300)]
    [InlineData(20_000, 300)]
    public void EndRecordAndDirectoryBeyondTheFirstReadAreFound(int commentLength, int extraEntries)
    {
        byte[] pickle = new PickleBuilder().Proto().Op('}').Str("w").Tensor("FloatStorage", "0", 2, 0, [2], [1]).Op('s').Stop().ToArray();
        string path = Path.Combine(TestPaths.NewTempDir(), "comment.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            Add(zip, "archive/data.pkl", pickle);
            Add(zip, "archive/data/0", [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f)]);
            for (int i = 0; i < extraEntries; i++) Add(zip, $"archive/extra/entry_with_a_long_name_{i:D5}", [(byte)i]);
            zip.Comment = new string('c', commentLength);
        }

        using var reader = CheckpointFile.Open(path);
        Assert.Equal(CheckpointFormat.PyTorchZip, reader.Format);
        Assert.Equal([1.5f, -2f], reader.ReadFloats("w"));
    }

    private static void Add(ZipArchive zip, string name, byte[] data)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        s.Write(data);
    }
}
