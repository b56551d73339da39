using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// A model written as a function of its parameters with a leading chain dimension, so that C copies of the weights
/// advance in one batched computation (batched matrix products instead of C separate forwards).
/// </summary>
public interface IChainModel
{
    /// <summary>Parameter names and per-chain shapes, in a fixed order.</summary>
    IReadOnlyList<(string Name, long[] Shape)> ParameterShapes { get; }

    /// <summary>
    /// Outputs [C, B, ...] for inputs [C, B, ...], with <paramref name="parameters"/>[i] shaped [C, ...shape_i]
    /// (possibly an expanded view: do not write into them).
    /// </summary>
    torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor inputs);
}
