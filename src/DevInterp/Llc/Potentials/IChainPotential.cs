using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// The empirical loss L_n seen by C chains at once. Sampled weights are flat: row c of a [C, D] tensor is chain c's
/// copy of the D sampled parameter values (in <see cref="Parameters"/> order); unsampled parameters stay at w*.
/// </summary>
public interface IChainPotential : IDisposable
{
    /// <summary>The sampled parameters, in the order they are laid out in a flat weight row.</summary>
    IReadOnlyList<SampledParameter> Parameters { get; }

    /// <summary>Number of sampled values D.</summary>
    long Dimension { get; }

    /// <summary>Training-set size n.</summary>
    long SampleCount { get; }

    /// <summary>The flat weights at the checkpoint, w* ([D], the potential's dtype).</summary>
    torch.Tensor Center { get; }

    /// <summary>
    /// Mean loss of each chain on its own minibatch: returns [C] (detached). <paramref name="batchIndices"/> is [C, B]
    /// sample indices, or null for the full training set. When <paramref name="gradient"/> is given ([C, D]), it is
    /// overwritten with ∂L/∂w of each chain's loss.
    /// </summary>
    torch.Tensor Loss(torch.Tensor weights, torch.Tensor? batchIndices, torch.Tensor? gradient);
}

/// <summary>A sampled parameter: its name, shape, and where its values sit in a flat weight row.</summary>
/// <param name="Name">Parameter name (e.g. <c>layers.0.weight</c>).</param>
/// <param name="Shape">Shape of one chain's copy.</param>
/// <param name="Offset">Start of its values in the flat row.</param>
public sealed record SampledParameter(string Name, long[] Shape, long Offset)
{
    /// <summary>Number of values.</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}
