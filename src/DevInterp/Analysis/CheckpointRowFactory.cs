using DevInterp.Checkpoints;
using DevInterp.Runs;
using DevInterp.Runs.Metrics;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>
/// Builds the <c>checkpoints</c> row of a visited checkpoint the same way wherever it is written (the LLC pass and the
/// activation pass of similarity and essential dynamics all write it under the same key, <see cref="PartKey.ForStep"/>,
/// so equal content keeps shards and reruns consistent). A row says something about the checkpoint, not about one
/// analysis: failures of an analysis's own computation (a diverged LLC chain) belong in that analysis's table.
/// </summary>
public static class CheckpointRowFactory
{
    /// <summary>
    /// The row of a checkpoint that opened: its file, SHA-256 and size (a symbolic link's target's), and its metrics — those
    /// recorded for this step outside the file (the manifest, the run's metric logs), then the metrics the checkpoint
    /// itself carries (epoch, loss, accuracy; <see cref="MetadataMetrics"/>) that those do not.
    /// </summary>
    public static CheckpointRow Ok(RunCheckpoint checkpoint, string relativeFile, ICheckpointReader reader)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(reader);
        var metrics = MetadataMetrics.Merge(checkpoint, reader.Metadata);
        return CheckpointRow.Ok(checkpoint.Step, Normalize(relativeFile), RunSource.Hash(checkpoint.Path), checkpoint.SizeBytes, metrics);
    }

    /// <summary>
    /// The row of a checkpoint that could not be opened or used: the error made one line, the manifest's metrics, and
    /// the file's SHA-256 and size when its bytes can still be read (a truncated file), so the row says which bytes failed.
    /// </summary>
    public static CheckpointRow Failed(RunCheckpoint checkpoint, string relativeFile, string error)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(error);
        string? sha = null;
        long? size = null;
        try
        {
            string file = WeightsFile(checkpoint.Path);
            if (File.Exists(file))
            {
                sha = RunSource.Hash(checkpoint.Path);
                size = checkpoint.SizeBytes;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointFormatException)
        {
            sha = null; // unreadable: the row says so through the nulls
            size = null;
        }
        return CheckpointRow.Failed(checkpoint.Step, Normalize(relativeFile), OneLine(error), sha, size, MetadataMetrics.Merge(checkpoint, null));
    }

    /// <summary>
    /// True for a failure that belongs to one checkpoint (its file cannot be opened or read, it is corrupt, or it does
    /// not fit the model) rather than to the run or its settings: such a checkpoint is recorded as failed and the run
    /// goes on.
    /// </summary>
    public static bool IsCheckpointFailure(Exception e) =>
        e is CheckpointFormatException or IOException or UnauthorizedAccessException or System.Runtime.InteropServices.ExternalException;

    /// <summary>Makes an error message one line (rows and console messages hold one line).</summary>
    public static string OneLine(string text) => Checkpoints.PrintableText.OneLine(text);

    private static string WeightsFile(string path) => Directory.Exists(path) ? CheckpointFile.ResolveFolder(path) : path;

    // Forward slashes: the same row whichever machine wrote it.
    private static string Normalize(string file) => file.Replace('\\', '/');
}
