using System.Text.RegularExpressions;

namespace DevInterp.Runs;

/// <summary>
/// What the files beside a run's checkpoints are, from their names: training state that is not model weights
/// (optimizer, scheduler, random-number state, training arguments), configuration, data, and logs of metrics. Run
/// discovery lists each as skipped with the role as its reason, so a user sees that it was recognised, not overlooked.
/// </summary>
public static partial class RunFileRoles
{
    private static readonly HashSet<string> ConfigExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".json", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".conf", ".gin" };

    private static readonly HashSet<string> DataExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".txt", ".csv", ".tsv", ".npy", ".npz", ".pkl", ".pickle", ".h5", ".hdf5", ".parquet", ".arrow", ".feather", ".jsonl" };

    private static readonly HashSet<string> LogExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".log", ".out", ".err", ".md", ".png", ".jpg", ".svg", ".pdf", ".html", ".ipynb", ".py", ".sh" };

    // optimizer.pt, optim_10.pt, scheduler.pt, lr_scheduler.pt, scaler.pt, rng_state.pth, rng_state_0.pth
    [GeneratedRegex(@"(?:^|[^a-z])(?:optim|optimizer|optimiser|opt_state|scheduler|lr_scheduler|sched|scaler|rng_state|rng)(?:[^a-z]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex TrainingStatePattern();

    // training_args.bin, args.pt, hparams.pt, config.pth
    [GeneratedRegex(@"(?:^|[^a-z])(?:training_args|args|hparams|hyperparams|config|cfg|settings)(?:[^a-z]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex ConfigPattern();

    // train_data.pth, test.pt, dataset.pt, val_split.pkl, inputs.npy, labels.pt, tokens.bin
    [GeneratedRegex(@"(?:^|[^a-z])(?:data|dataset|datasets|train|test|val|valid|validation|split|splits|inputs|labels|targets|tokens|samples|batch)(?:[^a-z]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex DataPattern();

    /// <summary>
    /// Why a file with a checkpoint extension is not model weights, judged by its name alone (optimizer or scheduler
    /// state, random-number state, training arguments, a config); null when the name does not say.
    /// </summary>
    public static string? NotWeights(string fileName)
    {
        string stem = CheckpointName.StripExtension(fileName);
        if (TrainingStatePattern().Match(stem) is { Success: true } m)
        {
            string what = m.Value.Trim('_', '-', '.', ' ').ToLowerInvariant();
            return what.StartsWith("rng", StringComparison.Ordinal) ? "random-number generator state, not model weights"
                : what.Contains("sched", StringComparison.Ordinal) ? "learning-rate scheduler state, not model weights"
                : what == "scaler" ? "mixed-precision loss-scaler state, not model weights"
                : "optimizer state, not model weights";
        }
        if (ConfigPattern().IsMatch(stem)) return "training arguments or config, not model weights";
        return null;
    }

    /// <summary>True when the name says the file holds data (train_data.pth, test.pt, dataset.pkl, labels.npy).</summary>
    public static bool LooksLikeData(string fileName) => DataPattern().IsMatch(CheckpointName.StripExtension(fileName));

    /// <summary>The note for a file whose extension is not a checkpoint's: config, data, log or other.</summary>
    public static string ForOtherFile(string fileName)
    {
        string ext = Path.GetExtension(fileName);
        if (ext.Length == 0) return "not a checkpoint file (no extension)";
        if (ConfigExtensions.Contains(ext)) return $"config or metadata file ({ext}), not a checkpoint";
        if (DataExtensions.Contains(ext)) return $"data or log file ({ext}), not a checkpoint";
        if (LogExtensions.Contains(ext)) return $"log, code or figure ({ext}), not a checkpoint";
        return $"not a checkpoint file ({ext})";
    }
}
