using DevInterp.Checkpoints;

namespace DevInterp.Runs;

/// <summary>
/// The entries of one folder of a run, sorted by what they are, from names alone (nothing is opened): checkpoints whose
/// names carry a step, weights files and folders whose names carry none, files that may hold logged metrics, subfolders
/// without weights, and everything else with the reason it is not a checkpoint.
/// </summary>
internal sealed class RunFolderScan
{
    /// <summary>Extensions of files that may be metric logs (read later; listed as skipped when they hold none).</summary>
    public static readonly IReadOnlySet<string> LogExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".csv", ".tsv", ".jsonl", ".json", ".pkl", ".pickle" };

    private RunFolderScan(string folder) => Folder = folder;

    /// <summary>The folder scanned.</summary>
    public string Folder { get; }

    /// <summary>Checkpoints whose names carry a step or epoch, and whether the name is a bare number (unit unknown).</summary>
    public List<(RunCheckpoint Checkpoint, bool Bare)> Named { get; } = [];

    /// <summary>Weights files (and weights folders) whose names carry no step: final.pth, last.ckpt, model.safetensors.</summary>
    public List<string> Stepless { get; } = [];

    /// <summary>Files that may be metric logs: CSV, JSON (lines), pickles.</summary>
    public List<string> LogFiles { get; } = [];

    /// <summary>Subfolders without a weights file (checkpoints may sit further down).</summary>
    public List<string> Subfolders { get; } = [];

    /// <summary>Entries that are not checkpoints, with the reason.</summary>
    public List<SkippedEntry> Skipped { get; } = [];

    /// <summary>Sorts the entries of <paramref name="folder"/>.</summary>
    public static RunFolderScan Of(string folder, string? key)
    {
        var scan = new RunFolderScan(folder);
        foreach (string dir in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (name.StartsWith('.')) { scan.Skipped.Add(new SkippedEntry(dir, "hidden folder")); continue; }
            bool hasWeights = CheckpointFile.FolderWeightFiles.Any(f => File.Exists(Path.Combine(dir, f)));
            if (!hasWeights)
            {
                scan.Subfolders.Add(dir);
                scan.Skipped.Add(new SkippedEntry(dir, $"folder without a weights file ({string.Join(", ", CheckpointFile.FolderWeightFiles)})"));
            }
            else if (CheckpointName.Parse(name) is { } p) scan.Named.Add((new RunCheckpoint(p.Value, p.Unit, dir, "name", key), false));
            else scan.Stepless.Add(dir);
        }
        foreach (string file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            string ext = Path.GetExtension(name);
            if (name.StartsWith('.')) scan.Skipped.Add(new SkippedEntry(file, "hidden file"));
            else if (!CheckpointName.CheckpointExtensions.Contains(ext))
            {
                if (LogExtensions.Contains(ext)) scan.LogFiles.Add(file);
                else scan.Skipped.Add(new SkippedEntry(file, RunFileRoles.ForOtherFile(name)));
            }
            else if (RunFileRoles.NotWeights(name) is { } role) scan.Skipped.Add(new SkippedEntry(file, role));
            else if (CheckpointName.Parse(name) is { } p)
                scan.Named.Add((new RunCheckpoint(p.Value, p.Unit, file, "name", key), CheckpointName.IsBareNumber(name)));
            else scan.Stepless.Add(file);
        }
        return scan;
    }

    /// <summary>True when a folder holds checkpoints whose names carry a step (judged from names only).</summary>
    public static bool HasNamedCheckpoints(string folder)
    {
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            string name = Path.GetFileName(file);
            if (!name.StartsWith('.') && CheckpointName.CheckpointExtensions.Contains(Path.GetExtension(name)) &&
                RunFileRoles.NotWeights(name) is null && CheckpointName.Parse(name) is not null)
                return true;
        }
        return Directory.EnumerateDirectories(folder).Any(d => CheckpointName.Parse(Path.GetFileName(d)) is not null &&
            CheckpointFile.FolderWeightFiles.Any(f => File.Exists(Path.Combine(d, f))));
    }
}
