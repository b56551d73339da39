using DevInterp.Checkpoints;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>
/// The one place the <c>checkpoints</c> table's rows are made, shared by every run analysis (LLC, similarity,
/// dynamics), so that two analyses (or two shards) writing the row of the same checkpoint write the same values and
/// the store's duplicate check agrees: the step, the file and SHA-256 recorded in analysis.json's run source, the
/// file's size, the run manifest's metrics at that step, and whether the checkpoint could be read and loaded into the
/// model (with the loader's one-line reason when not). A row says something about the checkpoint, not about one
/// analysis: failures of an analysis's own computation (a diverged LLC chain) belong in that analysis's table.
/// The part key is <see cref="PartKey.ForStep"/>.
/// </summary>
public static class CheckpointRows
{
    /// <summary>The row of a checkpoint that was read and loaded.</summary>
    public static CheckpointRow Ok(RunSource source, Run run, long step) => For(source, run, step, null);

    /// <summary>The row of a checkpoint that could not be read or loaded; <paramref name="error"/> is made one line.</summary>
    public static CheckpointRow Failed(RunSource source, Run run, long step, string error) =>
        For(source, run, step, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>
    /// The row of the checkpoint at <paramref name="step"/>: ok when <paramref name="error"/> is null, failed otherwise.
    /// The file and hash come from <paramref name="source"/> (analysis.json); the size and metrics from the run.
    /// </summary>
    /// <exception cref="ArgumentException">The run source lists no checkpoint at that step.</exception>
    public static CheckpointRow For(RunSource source, Run run, long step, string? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(run);
        var entry = source.Checkpoints.FirstOrDefault(c => c.Step == step)
            ?? throw new ArgumentException($"step {step} is not one of the {source.Checkpoints.Count} checkpoints of the analysis's run source ({source.Path})", nameof(step));
        var checkpoint = run.Checkpoints.FirstOrDefault(c => c.Step == step);
        string path = Path.Combine(run.Directory, entry.File);
        long? size = SizeOf(path);
        var metrics = checkpoint?.Metrics ?? new Dictionary<string, double>();
        return error is null
            ? CheckpointRow.Ok(step, Normalize(entry.File), entry.Sha256, size ?? throw new ArgumentException($"{path}: the checkpoint of step {step} is missing, so it cannot be recorded as ok", nameof(step)), metrics)
            : CheckpointRow.Failed(step, Normalize(entry.File), OneLine(error), size is null ? null : entry.Sha256, size, metrics);
    }

    /// <summary>
    /// The one-line reason recorded for an exception raised while opening or loading a checkpoint: a
    /// <see cref="CheckpointFormatException"/>'s reason without the path (the row already names the file), else the message.
    /// </summary>
    public static string Reason(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return OneLine(error is CheckpointFormatException c ? c.Reason : error.Message);
    }

    /// <summary>Size of a checkpoint file, or of the weights file of an HF-style folder; null when absent.</summary>
    private static long? SizeOf(string path)
    {
        try
        {
            if (Directory.Exists(path)) path = CheckpointFile.ResolveFolder(path);
            return File.Exists(path) ? new FileInfo(path).Length : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CheckpointFormatException)
        {
            return null;
        }
    }

    // Forward slashes: the same row whichever machine wrote it.
    private static string Normalize(string file) => file.Replace('\\', '/');

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
