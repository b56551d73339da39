using System.Text.Json.Nodes;
using DevInterp.Runs;

namespace DevInterp.Analysis;

/// <summary>Builds an <see cref="AnalysisConfig"/> for a run from its manifest and the command line's overrides.</summary>
public static class AnalysisConfigBuilder
{
    /// <summary>
    /// The config of a new analysis of <paramref name="run"/>: model and task from the options, else from the run's
    /// manifest; checkpoint files hashed now (unless <paramref name="hashCheckpoints"/> is false: the caller validates the
    /// settings first and hashes with <see cref="RunSource.Of"/>); every setting at its default unless given.
    /// </summary>
    /// <exception cref="RunFormatException">No model or no task is known for the run.</exception>
    public static AnalysisConfig Create(string name, string runPath, Run run, JsonObject? model = null, JsonObject? task = null,
        JsonObject? nameMap = null, string? key = null, string dtype = "float32", LlcSettings? llc = null,
        SimilaritySettings? similarity = null, DynamicsSettings? dynamics = null, StageSettings? stages = null, bool hashCheckpoints = true)
    {
        var modelSpec = model ?? (JsonObject?)run.Manifest?.Model?.DeepClone()
            ?? throw new RunFormatException(run.Directory, "the run records no model spec (no manifest.json with 'model'); pass --model spec.json (docs/models.md)");
        var taskSpec = task ?? (JsonObject?)run.Manifest?.Task?.DeepClone()
            ?? throw new RunFormatException(run.Directory, "the run records no task (no manifest.json with 'task'); pass --task task.json (docs/tasks.md)");
        if (dtype is not ("float32" or "float64")) throw new ArgumentException($"--dtype '{dtype}' must be float32 or float64");
        var source = hashCheckpoints ? RunSource.Of(run, runPath, key ?? run.Manifest?.Key) : new RunSource(runPath, key ?? run.Manifest?.Key, []);
        return new AnalysisConfig(name, source, modelSpec, nameMap, taskSpec, dtype,
            llc ?? new LlcSettings(), similarity ?? new SimilaritySettings(), dynamics ?? new DynamicsSettings(), stages ?? new StageSettings());
    }
}
