using System.Diagnostics;
using DevInterp.Checkpoints;

namespace DevInterp.Tests.Checkpoints.PyTorch;

/// <summary>
/// Truncated and bit-flipped copies of real torch.save files either still open (a flip inside tensor bytes changes
/// values, not structure) or fail with CheckpointFormatException: never another exception, never a hang.
/// </summary>
public class PyTorchCorruptionTests
{
    public static TheoryData<string> Files() =>
    [
        "training_checkpoint.pt", "training_checkpoint_deflated.pt", "zip64.pt", "legacy.pt", "tar_format.tar", "extras.pt",
        "big_endian.pt", "shared_storage.pt",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void TruncationAtEvery97thByteFailsCleanly(string file)
    {
        byte[] original = File.ReadAllBytes(TestPaths.Fixture("pytorch/" + file));
        string dir = TestPaths.NewTempDir("devinterp-truncate");
        var sw = Stopwatch.StartNew();
        int refused = 0;
        for (int length = 0; length < original.Length; length += 97)
        {
            string path = Path.Combine(dir, $"t{length}{Path.GetExtension(file)}");
            File.WriteAllBytes(path, original[..length]);
            if (!OpensAndReadsOrRefuses(path)) refused++;
            File.Delete(path);
        }
        // A zip or legacy torch.save file needs its end (zip directory, last storage): every proper prefix is refused.
        // A tar ends in zero padding, so only prefixes that cut an entry are.
        if (Path.GetExtension(file) == ".tar") Assert.True(refused >= 30, $"only {refused} prefixes refused");
        else Assert.Equal((original.Length + 96) / 97, refused);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ByteFlipsFailCleanly(string file)
    {
        byte[] original = File.ReadAllBytes(TestPaths.Fixture("pytorch/" + file));
        string dir = TestPaths.NewTempDir("devinterp-flip");
        string path = Path.Combine(dir, "flipped" + Path.GetExtension(file));
        var sw = Stopwatch.StartNew();
        var random = new Random(97);
        for (int position = 0; position < original.Length; position += 13)
        {
            foreach (byte mask in new byte[] { 0xFF, (byte)(1 << random.Next(8)) })
            {
                byte[] copy = (byte[])original.Clone();
                copy[position] ^= mask;
                File.WriteAllBytes(path, copy);
                OpensAndReadsOrRefuses(path);
            }
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"took {sw.Elapsed}");
    }

    /// <summary>True when the file opened and every tensor was read; false when it was refused with a CheckpointFormatException.</summary>
    private static bool OpensAndReadsOrRefuses(string path)
    {
        try
        {
            using var reader = CheckpointFile.Open(path);
            foreach (var t in reader.Tensors)
            {
                if (t.DType.IsSupported() && t.ByteCount < 1 << 24) reader.ReadBytes(t.Name);
            }
            return true;
        }
        catch (CheckpointFormatException e)
        {
            Assert.DoesNotContain('\n', e.Message);
            return false;
        }
    }
}
