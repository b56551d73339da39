using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Activations;

/// <summary>Settings of <see cref="RunActivations"/>.</summary>
/// <param name="Layers">Layers to capture; null for <see cref="LayerSelection.Default"/> of the spec (every submodule of a user module).</param>
/// <param name="Model">The model spec; null to read it from the run's manifest (spec path only).</param>
/// <param name="DType">dtype the spec's module is built in (float32 or float64); a user module keeps its own.</param>
/// <param name="Load">Strictness and name map for loading each checkpoint; null for strict, no renaming.</param>
/// <param name="StopOnError">
/// False (default): a checkpoint that cannot be opened or does not fit the model is skipped and listed in the result
/// (the analysis goes on with the rest; if none loads, the first problem is thrown). True: the first such problem is thrown.
/// </param>
public sealed record RunActivationOptions(
    LayerSelection? Layers = null,
    ModelSpec? Model = null,
    torch.ScalarType DType = torch.ScalarType.Float32,
    StateDictLoadOptions? Load = null,
    bool StopOnError = false);

/// <summary>What a streamed pass over a run captured.</summary>
/// <param name="Steps">Steps of the checkpoints captured, in order.</param>
/// <param name="Layers">Layers captured at every checkpoint.</param>
/// <param name="Features">Feature count of each layer's matrix.</param>
/// <param name="Rows">Rows of every matrix (probe samples, × positions for tokens).</param>
/// <param name="Skipped">Checkpoints skipped, with why.</param>
public sealed record RunActivationsResult(
    IReadOnlyList<long> Steps,
    IReadOnlyList<string> Layers,
    IReadOnlyDictionary<string, long> Features,
    long Rows,
    IReadOnlyList<SkippedCheckpoint> Skipped);

/// <summary>A checkpoint left out of a pass over a run.</summary>
/// <param name="Step">Its step.</param>
/// <param name="Path">Its file.</param>
/// <param name="Reason">Why (could not be opened, does not fit the model, ...).</param>
public sealed record SkippedCheckpoint(long Step, string Path, string Reason);

/// <summary>Progress of a pass over a run: checkpoints done out of all.</summary>
/// <param name="Done">Checkpoints processed (captured or skipped).</param>
/// <param name="Total">Checkpoints in the run.</param>
/// <param name="Step">Step of the checkpoint just processed.</param>
public sealed record RunActivationsProgress(int Done, int Total, long Step);
