using System.Globalization;
using DevInterp.Checkpoints;

namespace DevInterp.Runs;

/// <summary>What <see cref="RunDiscovery"/> found in a run folder without a manifest.</summary>
/// <param name="Checkpoints">The ordered checkpoints (not yet sorted).</param>
/// <param name="CheckpointDirectory">The folder holding the step-numbered checkpoints (the run folder or one below it).</param>
/// <param name="Folders">Every folder scanned, from the run folder down to <paramref name="CheckpointDirectory"/>.</param>
/// <param name="Skipped">Entries not used as checkpoints, with the reason.</param>
/// <param name="Notes">What discovery decided that a user should know (where the checkpoints were found, units).</param>
/// <param name="ParentLogFiles">
/// Metric logs in the folder above a run folder named like a checkpoints folder (<c>checkpoints/</c>, <c>ckpt/</c>):
/// Lightning keeps <c>metrics.csv</c> beside <c>checkpoints/</c>, not in it.
/// </param>
internal sealed record DiscoveredRun(List<RunCheckpoint> Checkpoints, string CheckpointDirectory, IReadOnlyList<RunFolderScan> Folders,
    List<SkippedEntry> Skipped, List<string> Notes, IReadOnlyList<string> ParentLogFiles);

/// <summary>
/// Finds the checkpoints of a run folder as training code leaves them (docs/run-manifest.md): step-numbered files and
/// <c>checkpoint-N/</c> folders, in the folder itself or, when it has none, in the one subfolder that has them
/// (<c>checkpoints/</c>, <c>ckpt/</c>, <c>lightning_logs/version_0/checkpoints/</c>); bare numbers (<c>400.pth</c>) read as
/// epochs when the files say so; files whose names carry no step (<c>final.pth</c>, <c>last.ckpt</c>) placed by the step
/// or epoch inside them, or kept out with a note; optimizer, data and config files recognised and skipped.
/// </summary>
internal static class RunDiscovery
{
    private static readonly string[] MetadataStepKeys = ["step", "global_step", "iteration", "iter"];
    private static readonly string[] MetadataEpochKeys = ["epoch"];

    /// <summary>How deep below the run folder checkpoints are looked for.</summary>
    public const int MaxSearchDepth = 3;

    /// <summary>Names of folders that hold a run's checkpoints and nothing else; the folder above holds its logs.</summary>
    public static readonly IReadOnlySet<string> CheckpointFolderNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { "checkpoints", "checkpoint", "ckpt", "ckpts", "saved_models", "models", "weights", "snapshots" };

    public static DiscoveredRun Discover(string dir, RunOpenOptions options)
    {
        var skipped = new List<SkippedEntry>();
        var notes = new List<string>();
        var folders = new List<RunFolderScan> { RunFolderScan.Of(dir, options.Key) };
        if (folders[0].Named.Count == 0 && FindCheckpointFolder(dir) is { } below)
        {
            // Scan every folder on the way down: metric logs and configs often sit beside the checkpoints folder.
            string relative = Path.GetRelativePath(dir, below);
            string path = dir;
            foreach (string part in relative.Split(Path.DirectorySeparatorChar))
            {
                path = Path.Combine(path, part);
                folders.Add(RunFolderScan.Of(path, options.Key));
            }
            notes.Add($"checkpoints found in {relative.Replace('\\', '/')}/");
        }
        var onTheWay = new HashSet<string>(folders.Select(f => f.Folder), StringComparer.Ordinal);
        foreach (var scan in folders) skipped.AddRange(scan.Skipped.Where(s => !onTheWay.Contains(s.Path)));

        var named = folders.SelectMany(f => f.Named).ToList();
        var checkpoints = named.Select(n => n.Checkpoint).ToList();
        var units = named.Where(n => !n.Bare).Select(n => n.Checkpoint.Unit).Distinct().ToList();
        if (units.Count > 1)
        {
            var s = named.First(c => !c.Bare && c.Checkpoint.Unit == StepUnit.Step).Checkpoint;
            var e = named.First(c => !c.Bare && c.Checkpoint.Unit == StepUnit.Epoch).Checkpoint;
            throw new RunFormatException(dir,
                $"mixes step-numbered ({s.Name}) and epoch-numbered ({e.Name}) checkpoints; add a manifest.json that gives each file its step " +
                "(docs/run-manifest.md), or point at a folder holding one kind");
        }
        StepUnit? unit = units.Count == 1 ? units[0] : null;
        var bare = named.Where(n => n.Bare).Select(n => n.Checkpoint).ToList();
        if (bare.Count > 0)
        {
            var bareUnit = unit ?? BareNumberUnit(bare, options, notes);
            if (bareUnit == StepUnit.Epoch)
                checkpoints = checkpoints.Select(c => bare.Contains(c) ? c with { Unit = StepUnit.Epoch } : c).ToList();
            unit ??= bareUnit;
        }
        PlaceStepless(folders.SelectMany(f => f.Stepless).ToList(), checkpoints, ref unit, options, skipped, notes);
        string? parent = Path.GetDirectoryName(dir.TrimEnd('/', '\\'));
        var parentLogs = CheckpointFolderNames.Contains(Path.GetFileName(dir.TrimEnd('/', '\\'))) && parent is not null
            ? Directory.EnumerateFiles(parent).Where(f => RunFolderScan.LogExtensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal).ToList()
            : [];
        return new DiscoveredRun(checkpoints, folders[^1].Folder, folders, skipped, notes, parentLogs);
    }

    /// <summary>The position a checkpoint's own metadata gives, in steps and in epochs (either may be missing).</summary>
    public static (long? Step, long? Epoch) MetadataPosition(IReadOnlyDictionary<string, MetadataValue> metadata)
    {
        long? step = null, epoch = null;
        foreach (string k in MetadataStepKeys)
            if (step is null && metadata.TryGetValue(k, out var v) && v.TryGetInt64(out long s) && s >= 0) step = s;
        foreach (string k in MetadataEpochKeys)
            if (epoch is null && metadata.TryGetValue(k, out var v) && v.TryGetInt64(out long e) && e >= 0) epoch = e;
        return (step, epoch);
    }

    // The one folder below the run folder (breadth first, a few levels) whose files are step-numbered checkpoints.
    private static string? FindCheckpointFolder(string dir)
    {
        var found = new List<string>();
        var level = new List<string> { dir };
        for (int depth = 1; depth <= MaxSearchDepth && found.Count == 0 && level.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (string parent in level)
            {
                foreach (string sub in Directory.EnumerateDirectories(parent).Order(StringComparer.Ordinal))
                {
                    string name = Path.GetFileName(sub);
                    if (name.StartsWith('.') || CheckpointFile.FolderWeightFiles.Any(f => File.Exists(Path.Combine(sub, f)))) continue;
                    if (RunFolderScan.HasNamedCheckpoints(sub)) found.Add(sub);
                    else next.Add(sub);
                }
            }
            level = next;
        }
        if (found.Count <= 1) return found.FirstOrDefault();
        string list = string.Join(", ", found.Take(6).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/') + "/"));
        throw new RunFormatException(dir,
            $"no checkpoints here, and several subfolders hold some ({list}); pass the one to analyse as the run folder, e.g. {Path.Combine(dir, Path.GetRelativePath(dir, found[^1]))}");
    }

    // 400.pth: steps or epochs? The last such file's own metadata says, when it records the same number as one or the other.
    private static StepUnit BareNumberUnit(List<RunCheckpoint> bare, RunOpenOptions options, List<string> notes)
    {
        if (!options.StepsFromMetadata) return StepUnit.Step;
        var last = bare.MaxBy(c => c.Step)!;
        try
        {
            using var reader = last.Open();
            var (step, epoch) = MetadataPosition(reader.Metadata);
            if (step == last.Step) return StepUnit.Step;
            if (epoch == last.Step)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"file names are bare numbers; they count epochs ({last.Name} holds epoch = {epoch})"));
                return StepUnit.Epoch;
            }
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException)
        {
            // unreadable here: the replay reports it; the names still order the run
        }
        return StepUnit.Step;
    }

    // final.pth, last.ckpt, best.pt: placed by the step or epoch they hold, else kept out with the reason.
    private static void PlaceStepless(List<string> stepless, List<RunCheckpoint> checkpoints, ref StepUnit? unit, RunOpenOptions options,
        List<SkippedEntry> skipped, List<string> notes)
    {
        var found = new List<(string Path, long? Step, long? Epoch)>();
        foreach (string path in stepless)
        {
            if (!options.StepsFromMetadata)
            {
                skipped.Add(new SkippedEntry(path, "no step in the file name (steps from metadata are switched off)"));
                continue;
            }
            var (position, reason) = ReadPosition(path, options.Key);
            if (position is { } p) found.Add((path, p.Step, p.Epoch));
            else skipped.Add(new SkippedEntry(path, reason));
        }
        // With no step-numbered checkpoints the files' own metadata decides: steps when any gives one.
        unit ??= found.Any(f => f.Step is not null) ? StepUnit.Step : StepUnit.Epoch;
        var taken = new Dictionary<long, string>();
        foreach (var c in checkpoints) taken.TryAdd(c.Step, c.Name); // duplicates among named files are reported by Run.Open
        bool extras = checkpoints.Count > 0;
        string unitName = unit == StepUnit.Epoch ? "epoch" : "step";
        foreach (var (path, step, epoch) in found)
        {
            string name = Path.GetFileName(path);
            long? at = unit == StepUnit.Epoch ? epoch : step;
            if (at is not { } position)
            {
                string has = step is { } s ? $"step {s}" : $"epoch {epoch}";
                skipped.Add(new SkippedEntry(path, $"its metadata gives {has} but the run counts {unitName}s; kept out of the ordered run (give it a {unitName} in a manifest.json to include it, docs/run-manifest.md)"));
            }
            else if (taken.TryGetValue(position, out string? other))
            {
                skipped.Add(new SkippedEntry(path, $"holds {unitName} {position}, the same as {other}; kept out of the ordered run"));
            }
            else
            {
                taken[position] = name;
                checkpoints.Add(new RunCheckpoint(position, unit.Value, path, "metadata", options.Key));
                if (extras)
                    notes.Add(string.Create(CultureInfo.InvariantCulture, $"{name} placed at {unitName} {position} (from its metadata)"));
            }
        }
    }

    private static ((long? Step, long? Epoch)? Position, string Reason) ReadPosition(string path, string? key)
    {
        string name = Path.GetFileName(path);
        try
        {
            using var reader = CheckpointFile.Open(path, new CheckpointOpenOptions(key));
            var (step, epoch) = MetadataPosition(reader.Metadata);
            if (step is not null || epoch is not null) return ((step, epoch), "");
            return (null, RunFileRoles.LooksLikeData(name)
                ? $"data file holding tensors ({string.Join(", ", reader.Tensors.Take(4).Select(t => t.Name))}), not a checkpoint of the run"
                : "no step: neither the file name nor its metadata gives a step or epoch; kept out of the ordered run (add it to a manifest.json to include it, docs/run-manifest.md)");
        }
        catch (CheckpointFormatException e)
        {
            return (null, Unreadable(name, e.Reason));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"no step in the file name, and the file cannot be read: {e.Message}");
        }
    }

    // Why a step-less file with a checkpoint extension holds no model weights, in the words a user recognises.
    private static string Unreadable(string name, string reason)
    {
        if (reason.Contains("optimizer state_dict", StringComparison.Ordinal)) return "optimizer state, not model weights";
        bool noStateDict = reason.StartsWith("no state dict found", StringComparison.Ordinal);
        const string holds = "no state dict found: the file holds ";
        if (noStateDict && (RunFileRoles.LooksLikeData(name) || reason.StartsWith(holds + "a list", StringComparison.Ordinal) ||
                            reason.StartsWith(holds + "a tuple", StringComparison.Ordinal)))
            return $"data file, not a checkpoint (it holds {(reason.StartsWith(holds, StringComparison.Ordinal) ? reason[holds.Length..] : reason)})";
        if (noStateDict) return $"not model weights ({reason})";
        return $"no step in the file name, and the file cannot be read: {reason}";
    }
}
