using System.Buffers.Binary;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.PyTorch;

namespace DevInterp.Tests.Checkpoints;

/// <summary>
/// Tensors are read in pieces (<see cref="ICheckpointReader.ReadRange"/>): any element-aligned piece equals the same
/// bytes of the whole tensor, for strided views written by real PyTorch too, and a tensor of 2 GiB or more is read
/// whole by ReadTorch (piece by piece) or refused by name where one array cannot hold it.
/// </summary>
public class RangedReadTests
{
    [Theory]
    [InlineData("pytorch/transposed.pt")]
    [InlineData("pytorch/sliced.pt")]
    [InlineData("pytorch/big_endian.pt")]
    [InlineData("pytorch/training_checkpoint_deflated.pt")]
    [InlineData("pytorch/mlp.safetensors")]
    public void AnyPieceEqualsThoseBytesOfTheWholeTensor(string fixture)
    {
        using var reader = CheckpointFile.Open(TestPaths.Fixture(fixture), new CheckpointOpenOptions());
        var random = new Random(14);
        foreach (var info in reader.Tensors.Where(t => t.DType.IsSupported() && t.ElementCount > 0))
        {
            byte[] whole = reader.ReadBytes(info.Name);
            int size = info.DType.ByteSize();
            for (int trial = 0; trial < 20; trial++)
            {
                long first = random.NextInt64(info.ElementCount), count = random.NextInt64(info.ElementCount - first) + 1;
                var piece = new byte[count * size];
                reader.ReadRange(info.Name, first * size, piece);
                Assert.Equal(whole.AsSpan((int)(first * size), piece.Length).ToArray(), piece);
            }
            var pieces = new List<byte>();
            reader.ForEachRawPiece(info.Name, bytes => pieces.AddRange(bytes.ToArray()));
            Assert.Equal(whole, pieces);
        }
    }

    [Fact]
    public void APieceThatIsNotWholeElementsIsRefused()
    {
        using var reader = CheckpointFile.Open(TestPaths.Fixture("pytorch/mlp.safetensors"));
        var name = reader.Tensors[0].Name;
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadRange(name, 1, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.ReadRange(name, 0, new byte[reader.Tensors[0].ByteCount + 4]));
    }

    /// <summary>A valid float32 tensor of 2.25 GiB (a sparse file: zeros, but the first and last values set).</summary>
    [Fact]
    public void ATensorOver2GiBIsReadWholeByReadTorchAndRefusedByNameAsOneArray()
    {
        long n = (9L << 30) / 16; // 2.25 GiB of float32
        string path = Path.Combine(TestPaths.NewTempDir(), "huge.safetensors");
        byte[] header = System.Text.Encoding.UTF8.GetBytes($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[{n}],\"data_offsets\":[0,{4 * n}]}}}}      ");
        Array.Resize(ref header, (header.Length + 7) / 8 * 8);
        for (int i = 0; i < header.Length; i++) if (header[i] == 0) header[i] = (byte)' ';
        using (var f = File.Create(path))
        {
            Span<byte> word = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)header.Length);
            f.Write(word);
            f.Write(header);
            BinaryPrimitives.WriteSingleLittleEndian(word, 1.5f);
            f.Write(word[..4]);
            f.SetLength(8 + header.Length + 4 * n);
            f.Position = 8 + header.Length + 4 * (n - 1);
            BinaryPrimitives.WriteSingleLittleEndian(word, -2.5f);
            f.Write(word[..4]);
        }
        try
        {
            using var reader = CheckpointFile.Open(path);
            Assert.Contains("read it with ReadTorch", Assert.Throws<CheckpointFormatException>(() => reader.ReadBytes("w")).Message);
            using (var t = reader.ReadTorch("w"))
            {
                Assert.Equal(n, t.shape[0]);
                Assert.Equal(1.5f, t[0].item<float>());
                Assert.Equal(-2.5f, t[n - 1].item<float>());
                Assert.Equal(0f, t[n / 2].item<float>());
            }
            var summary = CheckpointSummary.Of(reader);
            Assert.Equal(Math.Sqrt(1.5 * 1.5 + 2.5 * 2.5), summary.Tensors[0].Norm!.Value, 12);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TheNativeCrcIsZlibs()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        var random = new Random(7);
        var data = new byte[1 << 20];
        random.NextBytes(data);
        uint whole = Crc32.Compute(data); // native (≥ 4 KiB)
        uint pieces = Crc32.Append(Crc32.Append(Crc32.Append(0, data.AsSpan(0, 100)), data.AsSpan(100, 5000)), data.AsSpan(5100));
        Assert.Equal(whole, pieces);
        // The table version on the same bytes, 100 at a time (below the native threshold).
        uint managed = 0;
        for (int at = 0; at < data.Length; at += 100) managed = Crc32.Append(managed, data.AsSpan(at, Math.Min(100, data.Length - at)));
        Assert.Equal(whole, managed);
    }
}
