using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Squared error with a weight per output, summed over outputs and averaged over samples: mean_b Σ_j w_j (ŷ_bj − y_bj)².
/// The toy model of superposition trains on this loss with w = the feature importances. Predictions and targets are
/// [C, B, K] with K = the number of weights.
/// </summary>
public sealed class WeightedSquaredErrorLoss : IChainLoss
{
    private readonly double[] _weights;

    /// <summary>Creates the loss with one non-negative finite weight per output.</summary>
    /// <exception cref="ArgumentException">No weights, or a weight that is negative or not finite.</exception>
    public WeightedSquaredErrorLoss(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count == 0) throw new ArgumentException("expected at least one output weight", nameof(weights));
        for (int i = 0; i < weights.Count; i++)
        {
            if (!(weights[i] >= 0) || !double.IsFinite(weights[i]))
                throw new ArgumentException($"output weight {i} is {weights[i]}: expected a finite number >= 0", nameof(weights));
        }
        _weights = [.. weights];
    }

    /// <summary>The weight of each output.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <inheritdoc />
    public string Name => "weighted_squared_error";

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets)
    {
        if (predictions.shape[^1] != _weights.Length)
            throw new ArgumentException($"predictions have {predictions.shape[^1]} outputs, the loss has {_weights.Length} weights");
        using var w = torch.tensor(_weights, dtype: predictions.dtype, device: predictions.device);
        return ((predictions - targets).square() * w).sum(-1).mean([1]);
    }
}
