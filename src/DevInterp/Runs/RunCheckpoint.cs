using DevInterp.Checkpoints;

namespace DevInterp.Runs;

/// <summary>
/// A checkpoint of a run, not yet loaded: its step and where it lives. <see cref="Open"/> reads it when needed.
/// </summary>
/// <param name="Step">Position in training, in <paramref name="Unit"/>.</param>
/// <param name="Unit">Whether <paramref name="Step"/> counts optimizer steps or epochs.</param>
/// <param name="Path">The file, or the Hugging Face-style folder, holding the weights.</param>
/// <param name="StepSource">Where the step came from: <c>manifest</c>, <c>name</c> or <c>metadata</c>.</param>
/// <param name="Key">Key path of the state dict inside the file, when one was given.</param>
public sealed record RunCheckpoint(long Step, StepUnit Unit, string Path, string StepSource, string? Key = null)
{
    /// <summary>
    /// Scalars recorded for this step outside the checkpoint file (losses, accuracies): the manifest's, or those the run's
    /// metric logs give it (docs/run-manifest.md, "Metrics"). The file's own scalars are added where it is read
    /// (<see cref="Metrics.MetadataMetrics.Merge"/>).
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Size in bytes of the weights (a symbolic link's target, the weights file of a folder).</summary>
    public long SizeBytes => CheckpointFile.SizeOf(Path);

    /// <summary>The file or folder name.</summary>
    public string Name => System.IO.Path.GetFileName(Path.TrimEnd('/', '\\'));

    /// <summary>Opens the checkpoint (reads its index only; tensors are read on demand). Dispose the reader when done.</summary>
    public ICheckpointReader Open() => CheckpointFile.Open(Path, new CheckpointOpenOptions(Key));
}

/// <summary>A directory entry that is not used as a checkpoint, and why.</summary>
/// <param name="Path">The file or folder.</param>
/// <param name="Reason">Why it was not used.</param>
public sealed record SkippedEntry(string Path, string Reason);
