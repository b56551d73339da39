using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DevInterp.Analysis;
using DevInterp.Models;
using DevInterp.Tasks;

namespace DevInterp.Cli.Commands;

/// <summary>
/// The arguments and options <c>similarity</c> and <c>dynamics</c> share: the run, the analysis folder, the specs for
/// foreign runs and the probe batch; and turning them into analysis.json (<see cref="AnalysisSetup"/>).
/// </summary>
internal sealed class RunAnalysisCommandOptions
{
    public Argument<string> Run { get; } = PathArgument.Create("run", "The run directory (checkpoints, and usually a manifest.json with the model and task)");
    public Option<string> Out { get; } = new("--out") { Description = "The analysis folder (analyses/NAME): analysis.json, tables, cache", Required = true };
    public Option<string?> Model { get; } = new("--model") { Description = "Model spec JSON (docs/models.md) for a run whose manifest has none" };
    public Option<string?> Task { get; } = new("--task") { Description = "Task spec JSON (docs/tasks.md) for a run whose manifest has none; relative data paths are relative to the run directory" };
    public Option<string?> NameMap { get; } = new("--name-map") { Description = "Name map JSON for checkpoints whose tensor names differ from the spec's (docs/models.md)" };
    public Option<string?> Key { get; } = new("--key") { Description = "Dotted key path to the state dict inside each checkpoint file" };
    public Option<string?> Layers { get; } = new("--layers") { Description = "Comma-separated glob patterns over module names (h.*.attn,h.*.mlp); default: the model's usual layers" };
    public Option<int?> ProbeCount { get; } = new("--probe-count") { Description = "Probe inputs (at most; fewer when the source has fewer), default 256" };
    public Option<long?> ProbeSeed { get; } = new("--probe-seed") { Description = "Seed of the probe draw, default 0" };
    public Option<string?> ProbeFile { get; } = new("--probe-file") { Description = "Probe inputs from a tensor file (safetensors or .pt) instead of the task's training inputs" };
    public Option<string?> ProbeTensor { get; } = new("--probe-tensor") { Description = "Tensor name inside --probe-file (when it holds several)" };
    public Option<bool> Json { get; } = new("--json") { Description = "Print the result as JSON" };
    public Option<bool> Quiet { get; } = new("--quiet") { Description = "No progress display" };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Run);
        foreach (Option o in new Option[] { Out, Model, Task, NameMap, Key, Layers, ProbeCount, ProbeSeed, ProbeFile, ProbeTensor, Json, Quiet })
            command.Options.Add(o);
    }

    /// <summary>The similarity settings with the probe and layer options applied.</summary>
    public SimilaritySettings ApplyProbe(ParseResult parse, SimilaritySettings settings)
    {
        if (parse.GetValue(Layers) is { } layers) settings = settings with { Layers = layers };
        if (parse.GetValue(ProbeCount) is { } count)
            settings = settings with { ProbeCount = count >= 1 ? count : throw new UsageException($"--probe-count: expected at least 1, got {count}") };
        if (parse.GetValue(ProbeSeed) is { } seed) settings = settings with { ProbeSeed = seed };
        if (parse.GetValue(ProbeFile) is { } file)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"--probe-file: {file}: no such file", file);
            settings = settings with { ProbeFile = Path.GetFullPath(file) };
        }
        if (parse.GetValue(ProbeTensor) is { } tensor) settings = settings with { ProbeTensor = tensor };
        return settings;
    }

    /// <summary>Creates or updates analysis.json (only <paramref name="sections"/> of an existing one) and resolves its inputs.</summary>
    public RunAnalysisInputs Prepare(ParseResult parse, Func<AnalysisConfig, AnalysisConfig> configure, params string[] sections)
    {
        string run = parse.GetValue(Run)!;
        if (!Directory.Exists(run)) throw new DirectoryNotFoundException($"{run}: no such run directory");
        var request = new AnalysisRequest(run, parse.GetValue(Key),
            ReadSpec(parse.GetValue(Model), "--model", path => ModelSpec.FromJsonFile(path)),
            ReadSpec(parse.GetValue(Task), "--task", path => TaskSpec.Parse(ReadObject(path, "--task"), Path.GetFullPath(run))),
            ReadSpec(parse.GetValue(NameMap), "--name-map", path => DevInterp.Models.NameMap.FromJsonFile(path)));
        var config = AnalysisSetup.Prepare(parse.GetValue(Out)!, request, configure, sections);
        return RunAnalysisInputs.Resolve(config);
    }

    private static JsonObject? ReadSpec(string? path, string option, Action<string> validate)
    {
        if (path is null) return null;
        var json = ReadObject(path, option);
        validate(path);
        return json;
    }

    private static JsonObject ReadObject(string path, string option)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{option}: {path}: no such file", path);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new UsageException($"{option}: {path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{option}: {path}: not valid JSON: {e.Message}");
        }
    }

    /// <summary>Prints the failed checkpoints to standard error; returns the exit code (3 when any failed).</summary>
    public static int Report(CliContext context, IReadOnlyList<FailedCheckpoint> failed)
    {
        foreach (var f in failed) context.Err.WriteLine($"error: step {f.Step} ({f.File}): {f.Reason}");
        return failed.Count == 0 ? ExitCodes.Success : ExitCodes.PartialFailure;
    }
}
