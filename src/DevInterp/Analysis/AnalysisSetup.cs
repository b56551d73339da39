using System.Text.Json;
using System.Text.Json.Nodes;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>What a command knows about the run to analyse before analysis.json exists.</summary>
/// <param name="RunPath">The run directory (stored as given, like analysis.json's <c>run.path</c>).</param>
/// <param name="Key">State-dict key inside each checkpoint, or null for the manifest's / automatic.</param>
/// <param name="Model">Model spec JSON for a run whose manifest has none (or to override it on creation), or null.</param>
/// <param name="Task">Task spec JSON likewise, or null.</param>
/// <param name="NameMap">Name map JSON for foreign checkpoints, or null.</param>
public sealed record AnalysisRequest(string RunPath, string? Key = null, JsonObject? Model = null, JsonObject? Task = null, JsonObject? NameMap = null);

/// <summary>
/// Creates or updates an analysis folder's analysis.json for one command. A new file gets the run (every checkpoint
/// hashed), the model and task (given, or from the run's manifest), default settings, then the command's changes. An
/// existing file is kept except for the sections the command owns (<c>similarity</c>, <c>dynamics</c>, <c>llc</c>,
/// <c>stages</c>), which are replaced in the JSON text itself so that fields other commands wrote survive; it must
/// describe the same run with the same checkpoint files, and a model, task or name map given again must equal the
/// recorded one, since cached results depend on them.
/// </summary>
public static class AnalysisSetup
{
    /// <summary>The sections a command may own.</summary>
    public static IReadOnlyList<string> Sections { get; } = ["llc", "similarity", "dynamics", "stages"];

    /// <summary>
    /// Writes analysis.json in <paramref name="folder"/> (creating the folder) with <paramref name="configure"/> applied,
    /// changing only <paramref name="sections"/> of an existing file, and returns the config now in effect.
    /// </summary>
    /// <exception cref="RunFormatException">The run cannot be opened, has no model or task spec and none is given, or
    /// differs from the run an existing analysis.json describes (the message says how).</exception>
    public static AnalysisConfig Prepare(string folder, AnalysisRequest request, Func<AnalysisConfig, AnalysisConfig> configure,
        IReadOnlyList<string> sections)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(configure);
        foreach (string s in sections)
            if (!Sections.Contains(s)) throw new ArgumentException($"sections: '{s}' is not one of {string.Join(", ", Sections)}", nameof(sections));
        var run = Run.Open(request.RunPath, new RunOpenOptions(request.Key));
        var source = RunSource.Of(run, request.RunPath, request.Key);
        string path = AnalysisPaths.Config(folder);
        if (File.Exists(path))
        {
            var existing = AnalysisConfig.Load(path);
            CheckSameRun(path, existing, run, source, request);
            WriteSections(path, configure(existing), sections);
        }
        else
        {
            var model = request.Model ?? run.Manifest?.Model
                ?? throw new RunFormatException(request.RunPath, "the run's manifest records no model spec; give one (--model spec.json, docs/models.md)");
            var task = request.Task ?? run.Manifest?.Task
                ?? throw new RunFormatException(request.RunPath, "the run's manifest records no task spec; give one (--task task.json, docs/tasks.md)");
            var config = new AnalysisConfig(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), source,
                (JsonObject)model.DeepClone(), (JsonObject?)request.NameMap?.DeepClone(), (JsonObject)task.DeepClone(), "float32",
                new LlcSettings(), new SimilaritySettings(), new DynamicsSettings(), new StageSettings());
            AtomicFile.WriteAllText(path, configure(config).ToJson());
        }
        return AnalysisConfig.Load(path);
    }

    /// <summary>
    /// Replaces <paramref name="sections"/> of the existing analysis.json in <paramref name="folder"/> with those of
    /// <paramref name="configure"/>'s result (everything else, including fields this version does not know, is kept)
    /// and returns the config now in effect.
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder has no analysis.json.</exception>
    public static AnalysisConfig Update(string folder, Func<AnalysisConfig, AnalysisConfig> configure, IReadOnlyList<string> sections)
    {
        ArgumentNullException.ThrowIfNull(configure);
        string path = AnalysisPaths.Config(folder);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no analysis.json to update", path);
        foreach (string s in sections)
            if (!Sections.Contains(s)) throw new ArgumentException($"sections: '{s}' is not one of {string.Join(", ", Sections)}", nameof(sections));
        WriteSections(path, configure(AnalysisConfig.Load(path)), sections);
        return AnalysisConfig.Load(path);
    }

    private static void WriteSections(string path, AnalysisConfig updated, IReadOnlyList<string> sections)
    {
        var json = ParseObject(path);
        var full = JsonSerializer.SerializeToNode(updated, AnalysisConfig.Json)!.AsObject();
        foreach (string s in sections) json[s] = full[s]!.DeepClone();
        AtomicFile.WriteAllText(path, json.ToJsonString(AnalysisConfig.Json));
    }

    private static void CheckSameRun(string path, AnalysisConfig existing, Run run, RunSource source, AnalysisRequest request)
    {
        const string advice = "use a new --out folder for another run";
        string recorded = Path.GetFullPath(existing.Run.Path);
        if (Path.TrimEndingDirectorySeparator(recorded) != Path.TrimEndingDirectorySeparator(run.Directory))
            throw new RunFormatException(path, $"analyses the run {existing.Run.Path}, not {request.RunPath}; {advice}");
        var before = existing.Run.Checkpoints.ToDictionary(c => c.Step);
        var now = source.Checkpoints.ToDictionary(c => c.Step);
        foreach (var c in source.Checkpoints)
        {
            if (!before.TryGetValue(c.Step, out var old))
                throw new RunFormatException(path, $"the run has a checkpoint at step {c.Step} ({c.File}) that analysis.json does not list (the run changed since the analysis began); start a new analysis");
            if (old.Sha256 != c.Sha256 || old.File.Replace('\\', '/') != c.File.Replace('\\', '/'))
                throw new RunFormatException(path, $"the checkpoint of step {c.Step} ({c.File}) changed since analysis.json was written (SHA-256 differs); start a new analysis");
        }
        var missing = existing.Run.Checkpoints.FirstOrDefault(c => !now.ContainsKey(c.Step));
        if (missing is not null)
            throw new RunFormatException(path, $"analysis.json lists the checkpoint of step {missing.Step} ({missing.File}), which the run no longer has; start a new analysis");
        if (request.Model is not null && !JsonNode.DeepEquals(request.Model, existing.Model))
            throw new RunFormatException(path, "the model spec given differs from the one analysis.json records; results depend on it: use a new --out folder");
        if (request.Task is not null && !JsonNode.DeepEquals(request.Task, existing.Task))
            throw new RunFormatException(path, "the task spec given differs from the one analysis.json records; results depend on it: use a new --out folder");
        if (request.NameMap is not null && !JsonNode.DeepEquals(request.NameMap, existing.NameMap))
            throw new RunFormatException(path, "the name map given differs from the one analysis.json records; results depend on it: use a new --out folder");
    }

    private static JsonObject ParseObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
                as JsonObject ?? throw new RunFormatException(path, "not a JSON object");
        }
        catch (JsonException e)
        {
            throw new RunFormatException(path, $"not valid JSON: {e.Message}", e);
        }
    }
}
