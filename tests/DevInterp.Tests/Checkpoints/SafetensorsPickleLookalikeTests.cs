using System.Buffers.Binary;
using System.Text;
using DevInterp.Checkpoints;

namespace DevInterp.Tests.Checkpoints;

public class SafetensorsPickleLookalikeTests
{
    [Theory]
    [InlineData(128)]
    [InlineData(128 + 256)]
    [InlineData(128 + 5 * 256)]
    public void HeaderLengthsThatStartLikeAPickleAreStillSafetensors(int headerLength)
    {
        // A header of 128 + 256·k bytes makes the file start 0x80 0x0k — the opening of a pickle (protocol k).
        string json = """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""";
        byte[] header = Encoding.UTF8.GetBytes(json.PadRight(headerLength));
        string path = Path.Combine(TestPaths.NewTempDir(), "lookalike.safetensors");
        using (var f = File.Create(path))
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerLength);
            f.Write(len);
            f.Write(header);
            f.Write(BitConverter.GetBytes(2.5f));
        }
        Assert.Equal(0x80, File.ReadAllBytes(path)[0]);
        Assert.Equal(CheckpointFormat.Safetensors, CheckpointFile.Detect(path));
        using var reader = CheckpointFile.Open(path);
        Assert.Equal([2.5], reader.ReadDoubles("a"));
    }
}
