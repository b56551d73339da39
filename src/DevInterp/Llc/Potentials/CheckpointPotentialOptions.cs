using DevInterp.Models;
using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>How <see cref="CheckpointPotentials"/> turns a checkpoint into the LLC's potential.</summary>
/// <param name="DType">Computation dtype (float32 or float64) of the module built from a spec and of the batched potential.</param>
/// <param name="ParameterPattern">Regex selecting the sampled parameters by name (the others stay at w*); null for all.</param>
/// <param name="Load">Strictness and name map for loading the checkpoint (see <see cref="StateDictLoader"/>); null for strict, no renaming.</param>
/// <param name="Batched">
/// Use the spec's batched chain model (<see cref="BatchedPotential"/>) when it has one (true, the default); false always
/// uses the module one chain at a time (<see cref="ModulePotential"/>): same numbers, slower.
/// </param>
public sealed record CheckpointPotentialOptions(
    torch.ScalarType DType = torch.ScalarType.Float32,
    string? ParameterPattern = null,
    StateDictLoadOptions? Load = null,
    bool Batched = true);
