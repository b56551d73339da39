using System.Globalization;
using DevInterp.Checkpoints;
using DevInterp.Storage;

namespace DevInterp.Runs.Metrics;

/// <summary>
/// The metrics a checkpoint carries inside itself: the numeric scalars stored beside the state dict at the top level
/// (<c>{'model': ..., 'epoch': 3, 'train_loss': 0.2}</c>, a safetensors <c>__metadata__</c> entry), those inside a
/// <c>metrics</c>/<c>stats</c>/<c>logs</c>/<c>results</c> dict, and the value PyTorch Lightning's ModelCheckpoint
/// monitored when it saved the file (its <c>current_score</c>, named by its <c>monitor</c>). Scalars deeper down are
/// settings or bookkeeping (<c>hyper_parameters.lr</c>, <c>loops.fit_loop...</c>), not metrics; the step itself
/// (<c>step</c>, <c>global_step</c>, <c>iteration</c>) is the position, not a metric. Names are snake_case.
/// </summary>
public static class MetadataMetrics
{
    private static readonly HashSet<string> PositionKeys = new(StringComparer.OrdinalIgnoreCase) { "step", "global_step", "iteration", "iter" };

    private static readonly HashSet<string> Containers = new(StringComparer.OrdinalIgnoreCase)
        { "metrics", "stats", "statistics", "logs", "log", "results", "scores", "eval", "evaluation" };

    private const string LightningCallbacks = "callbacks.";

    /// <summary>The metrics among a checkpoint's metadata.</summary>
    public static SortedDictionary<string, double> From(IReadOnlyDictionary<string, MetadataValue> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in metadata)
        {
            string? metric = MetricName(name);
            if (metric is null || PositionKeys.Contains(metric) || !TryNumber(value, out double v)) continue;
            if (Snake(metric) is { } key && !PositionKeys.Contains(key)) metrics.TryAdd(key, v);
        }
        foreach (var (name, value) in metadata)
        {
            // Lightning: callbacks.ModelCheckpoint{...}.current_score holds the value of callbacks.ModelCheckpoint{...}.monitor
            if (!name.StartsWith(LightningCallbacks, StringComparison.Ordinal) || !name.EndsWith(".current_score", StringComparison.Ordinal)) continue;
            string prefix = name[..^".current_score".Length];
            if (metadata.TryGetValue(prefix + ".monitor", out var monitor) && monitor is MetadataValue.Text t && TryNumber(value, out double v) &&
                Snake(t.Value) is { } key)
                metrics.TryAdd(key, v);
        }
        return metrics;
    }

    /// <summary>
    /// The metrics of a checkpoint as the analysis records them: those recorded for its step outside the file
    /// (<see cref="RunCheckpoint.Metrics"/>: the manifest, the run's metric logs) first, then the file's own
    /// (<see cref="From"/>) for names those lack.
    /// </summary>
    public static SortedDictionary<string, double> Merge(RunCheckpoint checkpoint, IReadOnlyDictionary<string, MetadataValue>? metadata)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in checkpoint.Metrics) metrics[SnakeCase.From(name)] = value;
        if (metadata is not null)
            foreach (var (name, value) in From(metadata)) metrics.TryAdd(name, value);
        return metrics;
    }

    // "train_loss" → itself; "metrics.val_acc" → "val_acc"; anything else nested → null
    private static string? MetricName(string dotted)
    {
        int dot = dotted.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return dotted;
        string head = dotted[..dot], rest = dotted[(dot + 1)..];
        return Containers.Contains(head) && !rest.Contains('.', StringComparison.Ordinal) ? rest : null;
    }

    private static bool TryNumber(MetadataValue value, out double v)
    {
        v = 0;
        // Text that is a number counts (safetensors metadata is all strings); flags and words do not.
        if (value is MetadataValue.Flag) return false;
        if (value is MetadataValue.Text t)
            return double.TryParse(t.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
        return value.TryGetDouble(out v);
    }

    private static string? Snake(string name)
    {
        try
        {
            return SnakeCase.From(name);
        }
        catch (ArgumentException)
        {
            return null; // a name with no letters or digits cannot be a column
        }
    }
}
