using DevInterp.Checkpoints;
using DevInterp.Runs;
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
    /// The row of a checkpoint that opened: its file, SHA-256 and size, and its metrics — the run manifest's for this step,
    /// then any numeric scalar the checkpoint itself carries (epoch, loss, accuracy) that the manifest does not.
    /// </summary>
    public static CheckpointRow Ok(RunCheckpoint checkpoint, string relativeFile, ICheckpointReader reader)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(reader);
        var metrics = ManifestMetrics(checkpoint);
        foreach (var (name, value) in reader.Metadata)
        {
            string key = SnakeCase.From(name);
            if (key is "step" || metrics.ContainsKey(key)) continue;
            if (value is MetadataValue.Text t && !double.TryParse(t.Value, System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out _)) continue;
            if (value.TryGetDouble(out double v)) metrics[key] = v;
        }
        string file = WeightsFile(checkpoint.Path);
        return CheckpointRow.Ok(checkpoint.Step, Normalize(relativeFile), RunSource.Hash(checkpoint.Path), new FileInfo(file).Length, metrics);
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
                size = new FileInfo(file).Length;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointFormatException)
        {
            sha = null; // unreadable: the row says so through the nulls
            size = null;
        }
        return CheckpointRow.Failed(checkpoint.Step, Normalize(relativeFile), OneLine(error), sha, size, ManifestMetrics(checkpoint));
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

    private static SortedDictionary<string, double> ManifestMetrics(RunCheckpoint checkpoint)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in checkpoint.Metrics) metrics[SnakeCase.From(name)] = value;
        return metrics;
    }

    private static string WeightsFile(string path) => Directory.Exists(path) ? CheckpointFile.ResolveFolder(path) : path;

    // Forward slashes: the same row whichever machine wrote it.
    private static string Normalize(string file) => file.Replace('\\', '/');
}
