using System.Text.Json;
using System.Text.Json.Nodes;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>The parts of an analysis a command works on (its sections of analysis.json and its tables).</summary>
public enum AnalysisSection
{
    /// <summary>LLC per checkpoint: llc, llc_traces, calibration.</summary>
    Llc,
    /// <summary>Similarity across steps: similarity.</summary>
    Similarity,
    /// <summary>Essential dynamics: essential_dynamics*.</summary>
    Dynamics,
    /// <summary>Stages: stages.</summary>
    Stages,
}

/// <summary>
/// An analysis folder: its analysis.json and its store. Opening it for a command checks that a rerun continues the same
/// analysis — same run files (hashes), model, task and dtype, and the same settings for every section whose tables
/// already hold results (llc, similarity) — so resumed parts never mix with parts computed under other settings. The
/// dynamics and stages sections take the latest settings: their tables are recomputed whole on every run.
/// </summary>
public static class AnalysisFolder
{
    private static readonly IReadOnlyDictionary<AnalysisSection, string[]> Tables = new Dictionary<AnalysisSection, string[]>
    {
        [AnalysisSection.Llc] = ["llc", "llc_traces", "calibration", "llc_setting"],
        [AnalysisSection.Similarity] = ["similarity"],
        [AnalysisSection.Dynamics] = ["essential_dynamics", "essential_dynamics_variance", "essential_dynamics_curvature"],
        [AnalysisSection.Stages] = ["stages"],
    };

    /// <summary>
    /// Writes or reconciles <paramref name="folder"/>/analysis.json with <paramref name="config"/> for the given sections and
    /// returns the config in force (the stored one, with this command's sections filled in) and the store.
    /// </summary>
    /// <exception cref="RunFormatException">The folder holds a different analysis; the message says what differs.</exception>
    public static (AnalysisConfig Config, AnalysisStore Store) Open(string folder, AnalysisConfig config, IReadOnlyCollection<AnalysisSection> sections, string? shard = null)
    {
        RefuseInsideRun(folder, config.Run.Path);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AnalysisFolderException(folder, $"cannot create the folder: {e.Message}", e);
        }
        string path = Path.Combine(folder, AnalysisConfig.FileName);
        config = config with { DataFiles = DataFileSource.Of(config) };
        var store = AnalysisStore.Open(folder, shard);
        if (!File.Exists(path))
        {
            AtomicFile.WriteAllText(path, config.ToJson());
            return (config, store);
        }
        var stored = AnalysisConfig.Load(path);
        Require(path, "run.checkpoints", SameCheckpoints(stored.Run.Checkpoints, config.Run.Checkpoints),
            "the run's checkpoint files changed since this analysis began (a file was added, removed or rewritten); use a new --out folder");
        Require(path, "model", Same(stored.Model, config.Model), "a different model spec");
        Require(path, "task", Same(stored.Task, config.Task), "a different task");
        Require(path, "name_map", Same(stored.NameMap, config.NameMap), "a different name map");
        Require(path, "dtype", stored.DType == config.DType, $"dtype {stored.DType}, not {config.DType}");
        // Older analysis.json files have no data-file hashes: nothing to compare.
        if (stored.DataFiles is not null)
            Require(path, "data_files", Same(stored.DataFiles, config.DataFiles),
                "the task's data files changed since this analysis began (a file was rewritten); use a new --out folder");
        var merged = stored with { Software = SoftwareVersions.Current, Run = stored.Run with { Checkpoints = KnownHashes(stored.Run.Checkpoints, config.Run.Checkpoints) } };
        foreach (var section in sections)
        {
            bool hasResults = Tables[section].Any(t => store.State(t) != TableState.Absent);
            switch (section)
            {
                case AnalysisSection.Llc:
                    if (!Same(stored.Llc, config.Llc)) { RequireNoResults(path, "llc", hasResults); merged = merged with { Llc = config.Llc }; }
                    break;
                case AnalysisSection.Similarity:
                    if (!Same(stored.Similarity, config.Similarity)) { RequireNoResults(path, "similarity", hasResults); merged = merged with { Similarity = config.Similarity }; }
                    break;
                case AnalysisSection.Dynamics:
                    // Recomputed whole from the activation cache on every run (no parts to mix): always the latest settings.
                    merged = merged with { Dynamics = config.Dynamics };
                    break;
                case AnalysisSection.Stages:
                    merged = merged with { Stages = config.Stages }; // cheap to recompute: always the latest settings
                    break;
            }
        }
        // Rewritten only when something changed: shards of one analysis open it at once and must not write one file.
        string text = merged.ToJson();
        if (File.ReadAllText(path) != text) AtomicFile.WriteAllText(path, text);
        return (merged, store);
    }

    /// <summary>
    /// Refuses an analysis folder that is the run's folder or lies inside it: its tables, cache and analysis.json would
    /// sit among the checkpoints (and a rerun would see them as part of the run).
    /// </summary>
    /// <exception cref="AnalysisFolderException">The folder is the run's folder or inside it.</exception>
    public static void RefuseInsideRun(string folder, string runPath)
    {
        string analysis = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        string run = Path.GetFullPath(runPath).TrimEnd(Path.DirectorySeparatorChar);
        if (File.Exists(run)) run = Path.GetDirectoryName(run)!; // a single checkpoint file: its folder
        if (analysis == run)
            throw new AnalysisFolderException(folder, $"is the run's own folder ({runPath}); write the analysis into a folder outside the run, e.g. analyses/NAME");
        if (analysis.StartsWith(run + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new AnalysisFolderException(folder, $"lies inside the run's folder ({runPath}); write the analysis into a folder outside the run, e.g. analyses/NAME");
    }

    // The same files, step for step, with the same bytes; a file that could not be read (then or now) has no hash to
    // compare: it fails, or is analysed, on its own when the pass reaches it.
    private static bool SameCheckpoints(IReadOnlyList<CheckpointSource> stored, IReadOnlyList<CheckpointSource> now) =>
        stored.Count == now.Count && stored.Zip(now).All(p => p.First.Step == p.Second.Step && p.First.File == p.Second.File &&
            (p.First.Sha256 == p.Second.Sha256 || p.First.Sha256 == CheckpointSource.Unreadable || p.Second.Sha256 == CheckpointSource.Unreadable));

    // The recorded hashes, with those of files that were unreadable when the analysis began filled in once readable.
    private static List<CheckpointSource> KnownHashes(IReadOnlyList<CheckpointSource> stored, IReadOnlyList<CheckpointSource> now) =>
        stored.Zip(now).Select(p => p.First.Sha256 == CheckpointSource.Unreadable ? p.Second : p.First).ToList();

    private static bool Same<T>(T a, T b) =>
        JsonSerializer.Serialize(a, AnalysisConfig.Json) == JsonSerializer.Serialize(b, AnalysisConfig.Json);

    private static bool Same(JsonObject? a, JsonObject? b) => JsonNode.DeepEquals(a, b);

    private static void Require(string path, string field, bool ok, string what)
    {
        if (!ok)
            throw new RunFormatException(path, what.Contains("--out", StringComparison.Ordinal)
                ? $"holds another analysis: '{field}' differs ({what})"
                : $"holds another analysis: '{field}' differs ({what}); rerun with the {field} it records to resume, or use a new --out folder");
    }

    private static void RequireNoResults(string path, string section, bool hasResults)
    {
        if (hasResults)
            throw new RunFormatException(path,
                $"holds {section} results computed with other '{section}' settings; rerun with the same settings to resume, or use a new --out folder");
    }
}
