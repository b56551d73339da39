using DevInterp.Checkpoints;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>
/// Builds the <c>checkpoints</c> row of a visited checkpoint the same way wherever it is written (the LLC pass and the
/// activation pass both write it under the same key, so equal content keeps shards and reruns consistent).
/// </summary>
public static class CheckpointRowFactory
{
    /// <summary>
    /// The row of a checkpoint that opened: its file, SHA-256 and size, and its metrics — the run manifest's for this step,
    /// then any numeric scalar the checkpoint itself carries (epoch, loss, accuracy) that the manifest does not.
    /// </summary>
    public static CheckpointRow Ok(RunCheckpoint checkpoint, string relativeFile, ICheckpointReader reader)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in checkpoint.Metrics) metrics[SnakeCase.From(name)] = value;
        foreach (var (name, value) in reader.Metadata)
        {
            string key = SnakeCase.From(name);
            if (key is "step" || metrics.ContainsKey(key)) continue;
            if (value is MetadataValue.Text t && !double.TryParse(t.Value, System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out _)) continue;
            if (value.TryGetDouble(out double v)) metrics[key] = v;
        }
        string file = Directory.Exists(checkpoint.Path) ? CheckpointFile.ResolveFolder(checkpoint.Path) : checkpoint.Path;
        return CheckpointRow.Ok(checkpoint.Step, relativeFile, RunSource.Hash(checkpoint.Path), new FileInfo(file).Length, metrics);
    }

    /// <summary>The row of a checkpoint that could not be opened.</summary>
    public static CheckpointRow Failed(RunCheckpoint checkpoint, string relativeFile, string error) =>
        CheckpointRow.Failed(checkpoint.Step, relativeFile, error.Replace('\r', ' ').Replace('\n', ' '),
            metrics: checkpoint.Metrics.ToDictionary(kv => SnakeCase.From(kv.Key), kv => kv.Value));
}
