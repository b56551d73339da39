using BenchmarkDotNet.Attributes;
using DevInterp.Checkpoints;
using DevInterp.Runs;
using TorchSharp;

namespace DevInterp.Bench;

/// <summary>
/// Checkpoint read throughput: open a file and materialise every tensor as a TorchSharp tensor (what torch.load does),
/// for safetensors and torch.save zip files of 1, 10 and 100 MB written by real PyTorch (make_checkpoint_files.py).
/// </summary>
public class CheckpointReadBenchmarks
{
    /// <summary>Folder holding the files; set by Program from the command line.</summary>
    public static string Directory { get; set; } = "";

    /// <summary>File name, e.g. ckpt_10mb.safetensors.</summary>
    [ParamsSource(nameof(Files))]
    public string File { get; set; } = "";

    /// <summary>The files benchmarked.</summary>
    public static IEnumerable<string> Files() =>
        from mb in new[] { 1, 10, 100 } from ext in new[] { "safetensors", "pt" } select $"ckpt_{mb}mb.{ext}";

    /// <summary>Opens the file and materialises every tensor.</summary>
    [Benchmark]
    public long ReadAllTensors()
    {
        long elements = 0;
        using var reader = CheckpointFile.Open(Path.Combine(Directory, File));
        foreach (var info in reader.Tensors)
        {
            using var t = reader.ReadTorch(info.Name);
            elements += t.numel();
        }
        return elements;
    }
}

/// <summary>Iterating a 1,000-checkpoint run: list it, then open each checkpoint and materialise its tensors.</summary>
public class RunIterationBenchmarks
{
    /// <summary>The run folder; set by Program.</summary>
    public static string RunDirectory { get; set; } = "";

    /// <summary>Lists and replays the whole run.</summary>
    [Benchmark]
    public long ReplayThousandCheckpoints() => ReplayThousandCheckpointsIn(RunDirectory);

    /// <summary>Lists and replays the run in <paramref name="runDirectory"/>; returns the elements read.</summary>
    public long ReplayThousandCheckpointsIn(string runDirectory)
    {
        long elements = 0;
        foreach (var replayed in Run.Open(runDirectory).Replay())
        {
            using var scope = torch.NewDisposeScope();
            foreach (var info in replayed.Reader!.Tensors) elements += replayed.Reader.ReadTorch(info.Name).numel();
        }
        return elements;
    }
}
