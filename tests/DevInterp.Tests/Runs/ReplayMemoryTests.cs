using System.Diagnostics;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.Safetensors;
using DevInterp.Runs;
using TorchSharp;

namespace DevInterp.Tests.Runs;

/// <summary>Replay holds one checkpoint at a time; measured alone so other tests' allocations do not show up.</summary>
[Collection(DevInterp.Tests.Llc.MemoryMeasurement.Name)]
public class ReplayMemoryTests
{
    [Fact]
    public void ReplayingAThousandCheckpointsKeepsResidentMemoryFlat()
    {
        // 1,000 checkpoints of 256 KiB each (256 MiB in all): if replay kept them, resident memory would grow by that much.
        string dir = TestPaths.NewTempDir("devinterp-replay");
        try
        {
            var info = new TensorInfo("layer.weight", TensorDType.Float32, [256, 256]);
            var payload = new byte[info.ByteCount];
            new Random(1).NextBytes(payload);
            for (int step = 0; step < 1000; step++)
            {
                BitConverter.GetBytes((float)step).CopyTo(payload, 0);
                SafetensorsWriter.Write(Path.Combine(dir, $"step_{step:D6}.safetensors"), [(info, (ReadOnlyMemory<byte>)payload)]);
            }

            var run = Run.Open(dir);
            Assert.Equal(1000, run.Checkpoints.Count);
            long baseline = 0, peakGrowth = 0;
            int i = 0;
            foreach (var replayed in run.Replay())
            {
                using (var scope = torch.NewDisposeScope())
                {
                    var t = replayed.Reader!.ReadTorch("layer.weight");
                    Assert.Equal(replayed.Checkpoint.Step, (long)t[0, 0].ToSingle());
                }
                if (++i % 100 == 0)
                {
                    long rss = ResidentBytes();
                    if (i == 100) baseline = rss;
                    else peakGrowth = Math.Max(peakGrowth, rss - baseline);
                }
            }
            Assert.Equal(1000, i);
            // Growth from checkpoint 100 to 1,000 stays far below the 230 MiB those 900 checkpoints hold.
            Assert.True(peakGrowth < 40L << 20, $"resident memory grew by {peakGrowth >> 20} MiB over 900 checkpoints");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
