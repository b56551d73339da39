using DevInterp.Checkpoints;

namespace DevInterp.Runs;

/// <summary>
/// A training run: a directory of checkpoints ordered by step, from <c>manifest.json</c> when present, else from file
/// names (<c>step_000100.*</c>, <c>checkpoint-100/</c>, <c>epoch_12.*</c>, <c>1200.pth</c>) or, failing those, a step in
/// each file's metadata. Entries that are not checkpoints are listed in <see cref="Skipped"/> with the reason.
/// Opening a run reads no tensors; <see cref="Replay"/> opens one checkpoint at a time.
/// </summary>
public sealed class Run
{
    private static readonly string[] MetadataStepKeys = ["step", "global_step", "iteration", "iter"];
    private static readonly string[] MetadataEpochKeys = ["epoch"];

    private Run(string directory, string name, RunManifest? manifest, IReadOnlyList<RunCheckpoint> checkpoints,
        IReadOnlyList<SkippedEntry> skipped)
    {
        Directory = directory;
        Name = name;
        Manifest = manifest;
        Checkpoints = checkpoints;
        Skipped = skipped;
    }

    /// <summary>The run directory.</summary>
    public string Directory { get; }

    /// <summary>Run name (from the manifest, else the directory name).</summary>
    public string Name { get; }

    /// <summary>The manifest, when the run has one.</summary>
    public RunManifest? Manifest { get; }

    /// <summary>Checkpoints in increasing step order.</summary>
    public IReadOnlyList<RunCheckpoint> Checkpoints { get; }

    /// <summary>Entries that were not used, with reasons.</summary>
    public IReadOnlyList<SkippedEntry> Skipped { get; }

    /// <summary>Whether steps count optimizer steps or epochs.</summary>
    public StepUnit Unit => Checkpoints.Count > 0 ? Checkpoints[0].Unit : StepUnit.Step;

    /// <summary>Lists the checkpoints of a run directory.</summary>
    /// <exception cref="RunFormatException">
    /// Not a directory, no checkpoints, two checkpoints with one step, a malformed manifest, or steps and epochs mixed.
    /// </exception>
    public static Run Open(string directory, RunOpenOptions? options = null)
    {
        options ??= RunOpenOptions.Default;
        if (File.Exists(directory))
            throw new RunFormatException(directory, "is a file, not a run directory (inspect it as a checkpoint file instead)");
        if (!System.IO.Directory.Exists(directory)) throw new RunFormatException(directory, "no such directory");
        string full = System.IO.Path.GetFullPath(directory);
        string manifestPath = System.IO.Path.Combine(full, RunManifest.FileName);
        var skipped = new List<SkippedEntry>();
        List<RunCheckpoint> checkpoints;
        RunManifest? manifest = null;
        if (File.Exists(manifestPath))
        {
            manifest = RunManifest.Load(manifestPath);
            checkpoints = FromManifest(full, manifest, options, skipped);
        }
        else
        {
            checkpoints = FromNames(full, options, skipped);
        }

        if (checkpoints.Count == 0)
        {
            string why = skipped.Count == 0 ? "the directory is empty"
                : $"{skipped.Count} entr{(skipped.Count == 1 ? "y" : "ies")} skipped, e.g. {System.IO.Path.GetFileName(skipped[0].Path)}: {skipped[0].Reason}";
            throw new RunFormatException(directory, $"no checkpoints found ({why})");
        }

        var units = checkpoints.Select(c => c.Unit).Distinct().ToList();
        if (units.Count > 1)
        {
            var s = checkpoints.First(c => c.Unit == StepUnit.Step);
            var e = checkpoints.First(c => c.Unit == StepUnit.Epoch);
            throw new RunFormatException(directory,
                $"mixes step-numbered ({s.Name}) and epoch-numbered ({e.Name}) checkpoints; add a manifest.json that gives each file its step");
        }

        checkpoints.Sort((a, b) => a.Step.CompareTo(b.Step));
        for (int i = 1; i < checkpoints.Count; i++)
        {
            if (checkpoints[i].Step == checkpoints[i - 1].Step)
            {
                throw new RunFormatException(directory,
                    $"duplicate {checkpoints[i].Unit.ToString().ToLowerInvariant()} {checkpoints[i].Step}: {checkpoints[i - 1].Name} and {checkpoints[i].Name}");
            }
        }
        string name = manifest?.Name ?? System.IO.Path.GetFileName(full.TrimEnd('/', '\\'));
        return new Run(full, name, manifest, checkpoints, skipped);
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

    private static List<RunCheckpoint> FromNames(string dir, RunOpenOptions options, List<SkippedEntry> skipped)
    {
        var result = new List<RunCheckpoint>();
        foreach (string folder in System.IO.Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            string name = System.IO.Path.GetFileName(folder);
            string? weights = CheckpointFile.FolderWeightFiles.Select(f => System.IO.Path.Combine(folder, f)).FirstOrDefault(File.Exists);
            var parsed = CheckpointName.Parse(name);
            if (weights is null)
            {
                skipped.Add(new SkippedEntry(folder, $"folder without a weights file ({string.Join(", ", CheckpointFile.FolderWeightFiles)})"));
            }
            else if (parsed is { } p)
            {
                result.Add(new RunCheckpoint(p.Value, p.Unit, folder, "name", options.Key));
            }
            else
            {
                skipped.Add(new SkippedEntry(folder, "checkpoint folder whose name carries no step (expected e.g. checkpoint-500)"));
            }
        }
        foreach (string file in System.IO.Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            string name = System.IO.Path.GetFileName(file);
            string ext = System.IO.Path.GetExtension(name);
            if (name.StartsWith('.'))
            {
                skipped.Add(new SkippedEntry(file, "hidden file"));
                continue;
            }
            if (!CheckpointName.CheckpointExtensions.Contains(ext))
            {
                skipped.Add(new SkippedEntry(file, ext.Length == 0 ? "not a checkpoint file (no extension)" : $"not a checkpoint file ({ext})"));
                continue;
            }
            if (CheckpointName.Parse(name) is { } parsed)
            {
                result.Add(new RunCheckpoint(parsed.Value, parsed.Unit, file, "name", options.Key));
                continue;
            }
            if (!options.StepsFromMetadata)
            {
                skipped.Add(new SkippedEntry(file, "no step in the file name"));
                continue;
            }
            var (found, reason) = StepFromMetadata(file, options.Key);
            if (found is { } f) result.Add(new RunCheckpoint(f.Value, f.Unit, file, "metadata", options.Key));
            else skipped.Add(new SkippedEntry(file, reason));
        }
        return result;
    }

    private static ((long Value, StepUnit Unit)? Found, string Reason) StepFromMetadata(string file, string? key)
    {
        try
        {
            using var reader = CheckpointFile.Open(file, new CheckpointOpenOptions(key));
            foreach (string k in MetadataStepKeys)
            {
                if (reader.Metadata.TryGetValue(k, out var v) && v.TryGetInt64(out long step) && step >= 0)
                    return ((step, StepUnit.Step), "");
            }
            foreach (string k in MetadataEpochKeys)
            {
                if (reader.Metadata.TryGetValue(k, out var v) && v.TryGetInt64(out long epoch) && epoch >= 0)
                    return ((epoch, StepUnit.Epoch), "");
            }
            return (null, "no step: neither the file name nor its metadata gives a step or epoch");
        }
        catch (CheckpointFormatException e)
        {
            return (null, $"no step in the file name, and the file cannot be read: {e.Reason}");
        }
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
