using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DevInterp.Runs;

namespace DevInterp.Analysis;

/// <summary>
/// An analysis config as a user writes it (docs/config.md): the analysis.json format with every part optional — the
/// command line, the run's manifest or the defaults supply what is left out — so one file serves many runs. An
/// analysis.json an analysis recorded is such a file too. <c>model</c>, <c>task</c> and <c>name_map</c> may be
/// inline objects or paths to JSON files (relative to the config's folder); a relative <c>run.path</c> and
/// <c>similarity.probe_file</c> resolve against the config's folder as well (a <c>run.path</c> that is not there is
/// taken relative to the current directory, as an analysis.json records it). Unknown fields are an error naming them
/// (a misspelt setting must not be silently ignored).
/// </summary>
public sealed record AnalysisConfigFile
{
    private static readonly HashSet<string> TopLevel = new(StringComparer.Ordinal)
    {
        "format", "version", "name", "run", "model", "name_map", "task", "task_base", "dtype", "d_type", "llc", "similarity",
        "dynamics", "stages", "data_files", "software",
    };

    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly HashSet<string> RunFields = new(StringComparer.Ordinal) { "path", "key", "checkpoints", "unit" }; // unit: recorded by analyze; the run's own files say it again

    private static readonly JsonSerializerOptions Strict = new(AnalysisConfig.Json)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The file read.</summary>
    public required string Path { get; init; }

    /// <summary><c>run.path</c>: the run folder (absolute), or null.</summary>
    public string? RunPath { get; init; }

    /// <summary><c>run.key</c>: the key path of the state dict inside each checkpoint, or null.</summary>
    public string? Key { get; init; }

    /// <summary><c>run.checkpoints</c>: the checkpoints a recorded analysis read (for a warning when they differ), or null.</summary>
    public IReadOnlyList<CheckpointSource>? Checkpoints { get; init; }

    /// <summary>The model spec, or null.</summary>
    public JsonObject? Model { get; init; }

    /// <summary>The name map, or null.</summary>
    public JsonObject? NameMap { get; init; }

    /// <summary>The task spec, or null.</summary>
    public JsonObject? Task { get; init; }

    /// <summary>The folder the task's relative data paths resolve against (a task file's folder, or a recorded task_base); null for the run folder.</summary>
    public string? TaskBase { get; init; }

    /// <summary>float32 or float64, or null.</summary>
    public string? DType { get; init; }

    /// <summary>LLC settings (fields left out take their defaults), or null.</summary>
    public LlcSettings? Llc { get; init; }

    /// <summary>Similarity settings, or null.</summary>
    public SimilaritySettings? Similarity { get; init; }

    /// <summary>Essential-dynamics settings, or null.</summary>
    public DynamicsSettings? Dynamics { get; init; }

    /// <summary>Stage settings, or null.</summary>
    public StageSettings? Stages { get; init; }

    /// <summary>Reads a config file.</summary>
    /// <exception cref="RunFormatException">Missing, not JSON, an unknown field, or a field of the wrong type; the message names the file and the field.</exception>
    public static AnalysisConfigFile Load(string path)
    {
        if (!File.Exists(path)) throw new RunFormatException(path, "no such file (given as the analysis config)");
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: Lenient) as JsonObject
                ?? throw new RunFormatException(path, "an analysis config is a JSON object (docs/config.md)");
        }
        catch (JsonException e)
        {
            throw new RunFormatException(path, $"not valid JSON: {e.Message}", e);
        }
        Known(path, root, TopLevel, "", UserFields);
        var run = root["run"] switch
        {
            null => null,
            JsonObject o => o,
            JsonValue v when v.TryGetValue(out string? s) => new JsonObject { ["path"] = s },
            _ => throw new RunFormatException(path, "'run' must be an object {\"path\": ..., \"key\": ...} or the run folder's path"),
        };
        if (run is not null) Known(path, run, RunFields, "run.");
        string? runPath = Text(path, run?["path"], "run.path");
        string? taskFile = root["task"] is JsonValue tv && tv.TryGetValue(out string? t) ? t : null;
        return new AnalysisConfigFile
        {
            Path = path,
            RunPath = runPath is null ? null : RelativeRun(runPath, folder),
            Key = Text(path, run?["key"], "run.key"),
            Checkpoints = Section<List<CheckpointSource>>(path, run?["checkpoints"], "run.checkpoints"),
            Model = Spec(path, folder, root["model"], "model"),
            NameMap = Spec(path, folder, root["name_map"], "name_map"),
            Task = Spec(path, folder, root["task"], "task"),
            TaskBase = taskFile is not null
                ? System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(taskFile, folder))
                : Text(path, root["task_base"], "task_base"),
            DType = Text(path, root["dtype"] ?? root["d_type"], "dtype"),
            Llc = Section<LlcSettings>(path, root["llc"], "llc"),
            Similarity = Section<SimilaritySettings>(path, root["similarity"], "similarity") is { } sim
                ? sim with { ProbeFile = sim.ProbeFile is { } pf ? System.IO.Path.GetFullPath(pf, folder) : null }
                : null,
            Dynamics = Section<DynamicsSettings>(path, root["dynamics"], "dynamics"),
            Stages = Section<StageSettings>(path, root["stages"], "stages"),
        };
    }

    // Against the config's folder; an analysis.json records the path as it was given, relative to where the command ran.
    private static string RelativeRun(string runPath, string folder)
    {
        string besideConfig = System.IO.Path.GetFullPath(runPath, folder);
        return Directory.Exists(besideConfig) || !Directory.Exists(runPath) ? besideConfig : System.IO.Path.GetFullPath(runPath);
    }

    // What a user writes at the top level (the others are what an analysis records about itself).
    private static readonly string[] UserFields = ["dtype", "dynamics", "llc", "model", "name_map", "run", "similarity", "stages", "task"];

    private static void Known(string path, JsonObject o, IReadOnlySet<string> known, string prefix, IEnumerable<string>? shown = null)
    {
        foreach (var (name, _) in o)
        {
            if (!known.Contains(name))
                throw new RunFormatException(path, $"unknown field '{prefix}{name}' (known: {string.Join(", ", shown ?? known.Order(StringComparer.Ordinal))}; docs/config.md)");
        }
    }

    private static string? Text(string path, JsonNode? node, string field) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => throw new RunFormatException(path, $"'{field}' must be a string"),
    };

    // An inline object, or a JSON file named relative to the config's folder.
    private static JsonObject? Spec(string path, string folder, JsonNode? node, string field)
    {
        switch (node)
        {
            case null: return null;
            case JsonObject o: return (JsonObject)o.DeepClone();
            case JsonValue v when v.TryGetValue(out string? file):
                string full = System.IO.Path.GetFullPath(file, folder);
                if (!File.Exists(full)) throw new RunFormatException(path, $"'{field}' names {full}, which does not exist");
                try
                {
                    return JsonNode.Parse(File.ReadAllText(full), documentOptions: Lenient) as JsonObject
                        ?? throw new RunFormatException(full, $"'{field}' must hold a JSON object");
                }
                catch (JsonException e)
                {
                    throw new RunFormatException(full, $"not valid JSON (given as '{field}' in {path}): {e.Message}", e);
                }
            default:
                throw new RunFormatException(path, $"'{field}' must be an object or the path of a JSON file");
        }
    }

    private static T? Section<T>(string path, JsonNode? node, string field) where T : class
    {
        if (node is null) return null;
        if (node is JsonObject o)
            Known(path, o, Strict.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal), field + ".");
        try
        {
            return node.Deserialize<T>(Strict);
        }
        catch (JsonException e)
        {
            // "...could not be converted to System.Int32. Path: $.chains" is said as the setting, what it must be and what it is.
            throw new RunFormatException(path, ConfigValueError.Describe(e, node, typeof(T), Strict, field) ?? $"'{field}': {e.Message}", e);
        }
    }
}
