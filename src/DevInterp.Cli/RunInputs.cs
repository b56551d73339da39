using System.CommandLine;
using System.Text.Json.Nodes;
using DevInterp.Analysis;
using DevInterp.Models;
using DevInterp.Runs;

namespace DevInterp.Cli;

/// <summary>
/// The options every run-level command shares: where results go, and how to interpret a run that has no manifest
/// (model spec, task, name map, state-dict key).
/// </summary>
public sealed class RunInputs
{
    /// <summary>--out: the analysis folder.</summary>
    public Option<string> Out { get; } = new("--out") { Description = "Analysis folder to write into (e.g. analyses/dln); rerunning the same command resumes it", Required = true };

    /// <summary>--model.</summary>
    public Option<string?> Model { get; } = new("--model") { Description = "Model spec JSON (docs/models.md); default: the run's manifest.json" };

    /// <summary>--task.</summary>
    public Option<string?> Task { get; } = new("--task") { Description = "Task spec JSON: the training data and loss (docs/tasks.md); default: the run's manifest.json" };

    /// <summary>--name-map.</summary>
    public Option<string?> NameMap { get; } = new("--name-map") { Description = "Name map from the checkpoints' tensor names to the model's: a JSON file, or a built-in map: transformerlens, hf-gpt2 (docs/models.md)" };

    /// <summary>--key.</summary>
    public Option<string?> Key { get; } = new("--key") { Description = "Dotted key path to the state dict inside each checkpoint (e.g. model)" };

    /// <summary>--dtype.</summary>
    public Option<string?> DType { get; } = new("--dtype") { Description = "float32 or float64 (default float32)" };

    /// <summary>--quiet.</summary>
    public Option<bool> Quiet { get; } = new("--quiet") { Description = "No progress display" };

    /// <summary>--json.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "Print results as JSON" };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Out, Model, Task, NameMap, Key, DType, Quiet, Json }) command.Options.Add(option);
    }

    /// <summary>
    /// Takes the --out folder's writer lock (shared between the shards of one sharded analysis) before anything else, so
    /// a second writer is refused at once; warns when it takes over the lock of a killed process. A folder that is the
    /// run's own, or inside it, is refused first.
    /// </summary>
    public AnalysisLock Lock(ParseResult parse, CliContext context, string runPath, bool shared = false)
    {
        string outDir = parse.GetValue(Out)!;
        context.GivenOut = outDir;
        AnalysisFolder.RefuseInsideRun(outDir, runPath); // before the lock file is made inside the run
        var writer = AnalysisLock.Acquire(outDir, shared);
        if (writer.TakenOverFrom is { } who) context.Warn($"{outDir}: took over the writer lock of {who}");
        return writer;
    }

    /// <summary>The run folder: the one given, else <paramref name="file"/>'s <c>run.path</c>.</summary>
    public static string RunPathOf(string? runPath, AnalysisConfigFile? file) => runPath ?? file?.RunPath ?? throw new UsageException(
        $"no run folder: give it as the first argument{(file is null ? "" : $", or as run.path in {file.Path}")} (docs/config.md)");

    /// <summary>
    /// Opens the run and builds a fresh config from the options, then <paramref name="file"/> (a --config file), then the
    /// run's manifest; settings none gives are defaulted, and <paramref name="settings"/> puts the command's own in. The
    /// run is <paramref name="runPath"/>, else the file's <c>run.path</c>. Every setting (and the memory the settings
    /// need) is validated, and the --out folder checked, before any checkpoint is read or hashed.
    /// </summary>
    public (Run Run, AnalysisConfig Config) Resolve(ParseResult parse, string? runPath, CliContext context, AnalysisConfigFile? file = null,
        Func<AnalysisConfig, AnalysisConfig>? settings = null)
    {
        runPath = RunPathOf(runPath, file);
        string? key = parse.GetValue(Key) ?? file?.Key;
        string outDir = parse.GetValue(Out)!;
        context.GivenOut = outDir;
        var run = Runs.Run.Open(runPath, new RunOpenOptions(key));
        AnalysisFolder.RefuseInsideRun(outDir, run.Directory);
        string? taskFile = parse.GetValue(Task);
        var config = AnalysisConfigBuilder.Create(Path.GetFileName(Path.GetFullPath(outDir).TrimEnd('/')), runPath, run,
            ReadJson(parse.GetValue(Model), "--model"), ReadJson(taskFile, "--task"), ReadNameMap(parse.GetValue(NameMap)),
            key, parse.GetValue(DType), file: file, hashCheckpoints: false);
        // Data files named relative to the task file resolve against its folder, wherever the command runs from.
        if (taskFile is not null) config = config with { TaskBase = Path.GetDirectoryName(Path.GetFullPath(taskFile)) };
        config.TaskSpec(run.Directory); // validate now: a bad task is an error before any work starts
        if (settings is not null) config = settings(config);
        config.Validate();
        return (run, config with { Run = RunSource.Of(run, runPath, config.Run.Key) });
    }

    /// <summary>The JSON of <c>--name-map</c>: a built-in map by name (transformerlens, hf-gpt2), else a JSON file.</summary>
    public static JsonObject? ReadNameMap(string? value)
    {
        if (value is null) return null;
        if (!File.Exists(value) && DevInterp.Models.NameMaps.Named(value) is { } builtIn) return builtIn.ToJson();
        if (!File.Exists(value) && !value.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new DevInterp.Runs.RunFormatException(value, $"no such file (given to --name-map), nor a built-in name map ({string.Join(", ", DevInterp.Models.NameMaps.Names)})");
        return ReadJson(value, "--name-map");
    }

    /// <summary>Reads a JSON object file given to an option; errors name the option and the file.</summary>
    public static JsonObject? ReadJson(string? path, string option)
    {
        if (path is null) return null;
        if (!File.Exists(path)) throw new DevInterp.Runs.RunFormatException(path, $"no such file (given to {option})");
        if (DevInterp.Native.FileKinds.WhyNotAFile(path) is { } why)
            throw new DevInterp.Runs.RunFormatException(path, $"{why} (given to {option})");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new DevInterp.Runs.RunFormatException(path, $"{option} expects a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new DevInterp.Runs.RunFormatException(path, $"not valid JSON: {e.Message}", e);
        }
    }
}
