using System.Text.Json.Nodes;
using DevInterp.Runs;

namespace DevInterp.Analysis;

/// <summary>
/// Builds an <see cref="AnalysisConfig"/> for a run from what the command line gives, a config file
/// (<see cref="AnalysisConfigFile"/>, docs/config.md) and the run's manifest, in that order of precedence; settings no
/// source gives take their defaults.
/// </summary>
public static class AnalysisConfigBuilder
{
    /// <summary>
    /// The config of a new analysis of <paramref name="run"/>: each part from the explicit argument, else from
    /// <paramref name="file"/>, else from the run's manifest, else the default; checkpoint files hashed now (unless
    /// <paramref name="hashCheckpoints"/> is false: the caller validates the settings first and hashes with
    /// <see cref="RunSource.Of"/>).
    /// </summary>
    /// <exception cref="RunFormatException">No model or no task is known for the run; the message says where to give one.</exception>
    public static AnalysisConfig Create(string name, string runPath, Run run, JsonObject? model = null, JsonObject? task = null,
        JsonObject? nameMap = null, string? key = null, string? dtype = null, LlcSettings? llc = null,
        SimilaritySettings? similarity = null, DynamicsSettings? dynamics = null, StageSettings? stages = null,
        AnalysisConfigFile? file = null, bool hashCheckpoints = true)
    {
        string hint = file is null ? "" : $" or 'model' in {file.Path}";
        var modelSpec = model ?? file?.Model ?? (JsonObject?)run.Manifest?.Model?.DeepClone()
            ?? throw new RunFormatException(run.Directory,
                $"the run records no model spec (no manifest.json with 'model'); pass --model spec.json{hint} (docs/models.md; 'devinterp inspect' shows the tensor names and shapes)");
        var taskSpec = task ?? file?.Task ?? (JsonObject?)run.Manifest?.Task?.DeepClone()
            ?? throw new RunFormatException(run.Directory,
                $"the run records no task (no manifest.json with 'task'); pass --task task.json{(file is null ? "" : $" or 'task' in {file.Path}")} (docs/tasks.md)");
        string type = dtype ?? file?.DType ?? "float32";
        if (type is not ("float32" or "float64")) throw new ArgumentException($"dtype '{type}' must be float32 or float64");
        string? stateKey = key ?? file?.Key ?? run.Manifest?.Key;
        var source = hashCheckpoints ? RunSource.Of(run, runPath, stateKey) : new RunSource(runPath, stateKey, []);
        var config = new AnalysisConfig(name, source, modelSpec, nameMap ?? file?.NameMap,
            taskSpec, type, llc ?? file?.Llc ?? new LlcSettings(), similarity ?? file?.Similarity ?? new SimilaritySettings(),
            dynamics ?? file?.Dynamics ?? new DynamicsSettings(), stages ?? file?.Stages ?? new StageSettings());
        // A task from the file resolves its data where the file says; one from the manifest, against the run folder.
        return task is null && file?.Task is not null ? config with { TaskBase = file.TaskBase } : config;
    }
}
