using DevInterp.Checkpoints;
using DevInterp.Runs.Metrics;

namespace DevInterp.Runs;

/// <summary>
/// A training run: a directory of checkpoints ordered by step, from <c>manifest.json</c> when present, else from file
/// names (<c>step_000100.*</c>, <c>checkpoint-100/</c>, <c>epoch_12.*</c>, <c>1200.pth</c>, <c>epoch=3-step=1200.ckpt</c>)
/// or, for files whose names carry none (<c>final.pth</c>), a step in each file's metadata; the checkpoints may sit in one
/// subfolder (<c>checkpoints/</c>). Entries that are not checkpoints are listed in <see cref="Skipped"/> with the reason;
/// metrics the run logged beside its checkpoints are attached to them (<see cref="RunCheckpoint.Metrics"/>). Opening a
/// run reads no tensors; <see cref="Replay"/> opens one checkpoint at a time. See docs/run-manifest.md.
/// </summary>
public sealed class Run
{
    private Run(string directory, string checkpointDirectory, string name, RunManifest? manifest, IReadOnlyList<RunCheckpoint> checkpoints,
        IReadOnlyList<SkippedEntry> skipped, IReadOnlyList<string> notes)
    {
        Directory = directory;
        CheckpointDirectory = checkpointDirectory;
        Name = name;
        Manifest = manifest;
        Checkpoints = checkpoints;
        Skipped = skipped;
        Notes = notes;
    }

    /// <summary>The run directory (the folder given; relative paths of files and task data resolve against it).</summary>
    public string Directory { get; }

    /// <summary>The folder holding the checkpoints: <see cref="Directory"/>, or the one subfolder they were found in.</summary>
    public string CheckpointDirectory { get; }

    /// <summary>Run name (from the manifest, else the directory name).</summary>
    public string Name { get; }

    /// <summary>The manifest, when the run has one.</summary>
    public RunManifest? Manifest { get; }

    /// <summary>Checkpoints in increasing step order.</summary>
    public IReadOnlyList<RunCheckpoint> Checkpoints { get; }

    /// <summary>Entries that were not used, with reasons.</summary>
    public IReadOnlyList<SkippedEntry> Skipped { get; }

    /// <summary>
    /// What opening the run decided that a user should know, one line each: the subfolder the checkpoints were found in,
    /// how bare-number names were read, where a step-less file was placed, which metric logs gave which metrics.
    /// </summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Whether steps count optimizer steps or epochs.</summary>
    public StepUnit Unit => Checkpoints.Count > 0 ? Checkpoints[0].Unit : StepUnit.Step;

    /// <summary>
    /// True when a folder is a run rather than one checkpoint even if it holds a weights file of its own (a Trainer's
    /// output_dir keeps the final model beside its checkpoint-N/ folders): it has a manifest.json or step-numbered
    /// checkpoints.
    /// </summary>
    public static bool HoldsCheckpoints(string directory) =>
        File.Exists(System.IO.Path.Combine(directory, RunManifest.FileName)) || RunFolderScan.HasNamedCheckpoints(directory);

    /// <summary>Lists the checkpoints of a run directory.</summary>
    /// <exception cref="RunFormatException">
    /// Not a directory, no checkpoints, two step-numbered checkpoints with one step, a malformed manifest, step- and
    /// epoch-numbered names mixed, or checkpoints in several subfolders; the message names the path and the fix.
    /// </exception>
    public static Run Open(string directory, RunOpenOptions? options = null)
    {
        options ??= RunOpenOptions.Default;
        if (File.Exists(directory))
            throw new RunFormatException(directory, "is a file, not a run directory (inspect it as a checkpoint file: devinterp inspect FILE)");
        if (!System.IO.Directory.Exists(directory))
            throw new RunFormatException(directory, "no such directory (give the folder that holds the run's checkpoints, or the folder above it)");
        string full = System.IO.Path.GetFullPath(directory);
        string manifestPath = System.IO.Path.Combine(full, RunManifest.FileName);
        List<SkippedEntry> skipped;
        var notes = new List<string>();
        List<RunCheckpoint> checkpoints;
        RunManifest? manifest = null;
        DiscoveredRun? found = null;
        if (File.Exists(manifestPath))
        {
            manifest = RunManifest.Load(manifestPath);
            skipped = [];
            checkpoints = FromManifest(full, manifest, options, skipped);
        }
        else
        {
            found = RunDiscovery.Discover(full, options);
            (checkpoints, skipped, notes) = (found.Checkpoints, found.Skipped, found.Notes);
        }

        if (checkpoints.Count == 0)
        {
            string why = skipped.Count == 0 ? "the directory is empty"
                : $"{skipped.Count} entr{(skipped.Count == 1 ? "y" : "ies")} skipped, e.g. {System.IO.Path.GetFileName(skipped[0].Path)}: {skipped[0].Reason}";
            throw new RunFormatException(directory,
                $"no checkpoints found ({why}); give the folder that holds the checkpoint files, or list them with their steps in a manifest.json (docs/run-manifest.md)");
        }

        checkpoints.Sort((a, b) => a.Step.CompareTo(b.Step));
        for (int i = 1; i < checkpoints.Count; i++)
        {
            if (checkpoints[i].Step == checkpoints[i - 1].Step)
            {
                throw new RunFormatException(directory,
                    $"duplicate {checkpoints[i].Unit.ToString().ToLowerInvariant()} {checkpoints[i].Step}: {checkpoints[i - 1].Name} and {checkpoints[i].Name}; " +
                    "move one out of the folder, or give each file its step in a manifest.json (docs/run-manifest.md)");
            }
        }
        if (found is not null) checkpoints = RunMetricLogs.Attach(full, checkpoints, checkpoints[0].Unit, found, skipped, notes);
        skipped.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        string name = manifest?.Name ?? System.IO.Path.GetFileName(full.TrimEnd('/', '\\'));
        return new Run(full, found?.CheckpointDirectory ?? full, name, manifest, checkpoints, skipped, notes);
    }

    /// <summary>
    /// Opens the checkpoints one at a time in step order. Each item's reader is disposed when the enumeration moves on,
    /// so at most one checkpoint is open; a checkpoint that cannot be opened is yielded with its error, and the rest go on.
    /// </summary>
    public IEnumerable<ReplayedCheckpoint> Replay()
    {
        foreach (var checkpoint in Checkpoints)
        {
            ICheckpointReader? reader = null;
            Exception? error = null;
            try
            {
                reader = checkpoint.Open();
            }
            catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException)
            {
                error = e;
            }
            try
            {
                yield return new ReplayedCheckpoint(checkpoint, reader, error);
            }
            finally
            {
                reader?.Dispose();
            }
        }
    }

    private static List<RunCheckpoint> FromManifest(string dir, RunManifest manifest, RunOpenOptions options, List<SkippedEntry> skipped)
    {
        string? key = options.Key ?? manifest.Key;
        var result = new List<RunCheckpoint>();
        var listed = new HashSet<string>(StringComparer.Ordinal) { RunManifest.FileName };
        foreach (var entry in manifest.Checkpoints)
        {
            string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, entry.File));
            listed.Add(System.IO.Path.GetRelativePath(dir, path).Split('/', '\\')[0]);
            if (!File.Exists(path) && !System.IO.Directory.Exists(path))
            {
                skipped.Add(new SkippedEntry(path, $"listed in manifest.json (step {entry.Step}) but missing"));
                continue;
            }
            result.Add(new RunCheckpoint(entry.Step, StepUnit.Step, path, "manifest", key)
            {
                Metrics = entry.Metrics ?? new Dictionary<string, double>(),
            });
        }
        foreach (string entry in System.IO.Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            if (!listed.Contains(System.IO.Path.GetFileName(entry)))
                skipped.Add(new SkippedEntry(entry, "not listed in manifest.json"));
        }
        return result;
    }
}

/// <summary>One step of a replay: the checkpoint and its open reader, or the error that kept it from opening.</summary>
/// <param name="Checkpoint">The checkpoint.</param>
/// <param name="Reader">Its reader (disposed when the replay moves on), or null when it failed to open.</param>
/// <param name="Error">Why it failed to open, or null.</param>
public sealed record ReplayedCheckpoint(RunCheckpoint Checkpoint, ICheckpointReader? Reader, Exception? Error)
{
    /// <summary>True when the checkpoint opened.</summary>
    public bool Ok => Reader is not null;
}
