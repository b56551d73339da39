using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Tasks;

namespace DevInterp.Analysis;

/// <summary>
/// What an analysis config points at, opened and parsed: the run (with the config's state-dict key), the model spec,
/// the name map and the task (relative data paths resolved against the run directory, as analysis.json specifies).
/// </summary>
/// <param name="Config">The config.</param>
/// <param name="Run">The run, opened.</param>
/// <param name="Model">The model spec.</param>
/// <param name="NameMap">The name map, or null.</param>
/// <param name="Task">The task spec.</param>
public sealed record RunAnalysisInputs(AnalysisConfig Config, Run Run, ModelSpec Model, NameMap? NameMap, TaskSpec Task)
{
    /// <summary>Opens the run and parses the specs of <paramref name="config"/>.</summary>
    /// <exception cref="RunFormatException">The run cannot be opened.</exception>
    /// <exception cref="SpecFormatException">The model, name map or task spec is invalid.</exception>
    public static RunAnalysisInputs Resolve(AnalysisConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var run = Run.Open(config.Run.Path, new RunOpenOptions(config.Run.Key));
        var model = ModelSpec.Parse(config.Model);
        var map = config.NameMap is null ? null : NameMap.Parse(config.NameMap);
        var task = TaskSpec.Parse(config.Task, run.Directory);
        return new RunAnalysisInputs(config, run, model, map, task);
    }

    /// <summary>How each checkpoint is loaded: strict, through the name map.</summary>
    public StateDictLoadOptions LoadOptions => new(Strict: true, Map: NameMap);
}
