using DevInterp.Checkpoints;
using DevInterp.Runs;

namespace DevInterp.Cli.Commands;

/// <summary>The stable JSON shapes of <c>devinterp inspect --json</c> (schema in docs/inspect-json.md).</summary>
public static class InspectJson
{
    /// <summary>Schema version of both shapes.</summary>
    public const int SchemaVersion = 1;

    /// <summary>JSON form of a file.</summary>
    public sealed record FileReport(string Kind, int SchemaVersion, string Path, string Format, long ElementCount,
        IReadOnlyList<TensorReport> Tensors, IReadOnlyDictionary<string, object> Metadata);

    /// <summary>JSON form of one tensor.</summary>
    public sealed record TensorReport(string Name, string Dtype, IReadOnlyList<long> Shape, long Numel, double? Norm,
        long NanCount, long InfCount, string? Error);

    /// <summary>JSON form of a run.</summary>
    public sealed record RunReport(string Kind, int SchemaVersion, string Path, string Name, string Unit, bool HasManifest,
        string CheckpointDir, IReadOnlyList<RunCheckpointReport> Checkpoints, IReadOnlyList<SkippedReport> Skipped,
        IReadOnlyList<string> Notes);

    /// <summary>JSON form of one checkpoint of a run.</summary>
    public sealed record RunCheckpointReport(long Step, string File, string StepSource, long? SizeBytes,
        IReadOnlyDictionary<string, double> Metrics, string? Status, string? Error);

    /// <summary>JSON form of a skipped entry.</summary>
    public sealed record SkippedReport(string File, string Reason);

    /// <summary>Builds the file report.</summary>
    public static FileReport File(CheckpointSummary s) => new(
        "file", SchemaVersion, s.Path, FormatName(s.Format), s.ElementCount,
        s.Tensors.Select(t => new TensorReport(t.Name, t.DType.TorchName(), t.Shape, t.ElementCount, t.Norm, t.NaNCount, t.InfCount, t.Error)).ToList(),
        s.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value.Raw));

    /// <summary>
    /// Builds the run report: each checkpoint's metrics (path → metrics, the run's logged values and the checkpoint's
    /// own), the notes to show, and <paramref name="failures"/> (path → error) when --check asked for statuses.
    /// </summary>
    public static RunReport Run(Run run, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> metrics, IReadOnlyList<string> notes,
        IReadOnlyDictionary<string, string>? failures) => new(
        "run", SchemaVersion, run.Directory, run.Name, run.Unit.ToString().ToLowerInvariant(), run.Manifest is not null,
        Relative(run, run.CheckpointDirectory),
        run.Checkpoints.Select(c => new RunCheckpointReport(c.Step, Relative(run, c.Path), c.StepSource, SizeOrNull(c),
            metrics.TryGetValue(c.Path, out var m) ? m : c.Metrics,
            failures is null ? null : failures.ContainsKey(c.Path) ? "error" : "ok",
            failures is not null && failures.TryGetValue(c.Path, out var e) ? e : null)).ToList(),
        run.Skipped.Select(s => new SkippedReport(Relative(run, s.Path), s.Reason)).ToList(),
        notes);

    // Forward slashes: the same JSON whichever machine wrote it.
    private static string Relative(Run run, string path) => Path.GetRelativePath(run.Directory, path).Replace('\\', '/');

    /// <summary>The checkpoint's size in bytes, or null when its file cannot be read.</summary>
    public static long? SizeOrNull(RunCheckpoint c)
    {
        try
        {
            return c.SizeBytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointFormatException)
        {
            return null;
        }
    }

    /// <summary>The format's name in JSON.</summary>
    public static string FormatName(CheckpointFormat format) => format switch
    {
        CheckpointFormat.Safetensors => "safetensors",
        CheckpointFormat.PyTorchZip => "pytorch-zip",
        CheckpointFormat.PyTorchLegacy => "pytorch-legacy",
        CheckpointFormat.PyTorchTar => "pytorch-tar",
        CheckpointFormat.TorchSharpDat => "torchsharp-dat",
        _ => format.ToString(),
    };
}
