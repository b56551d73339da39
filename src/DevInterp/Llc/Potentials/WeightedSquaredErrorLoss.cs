using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Squared error with a weight per output, summed over outputs and averaged over samples: mean_b Σ_j w_j (ŷ_bj − y_bj)²
/// (the TMS task loss, w = feature importances). Predictions and targets are [C, B, ..., K]; the weights [K].
/// </summary>
public sealed class WeightedSquaredErrorLoss : IChainLoss, IDisposable
{
    private readonly torch.Tensor _weights;

    /// <summary>Creates the loss; the weights are copied.</summary>
    public WeightedSquaredErrorLoss(torch.Tensor weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.dim() != 1 || weights.shape[0] < 1)
            throw new ArgumentException($"weights: expected a non-empty 1-D tensor (one weight per output), got shape [{string.Join(", ", weights.shape)}]", nameof(weights));
        _weights = weights.detach().to_type(torch.ScalarType.Float64).clone().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public string Name => "weighted_mse";

    /// <summary>Number of outputs the weights cover.</summary>
    public long Outputs => _weights.shape[0];

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets)
    {
        if (predictions.shape[^1] != Outputs)
            throw new ArgumentException($"predictions: last dimension {predictions.shape[^1]} does not match the {Outputs} output weights", nameof(predictions));
        var weighted = (predictions - targets).square() * _weights.to_type(predictions.dtype);
        return weighted.flatten(1).sum(1) / predictions.shape[1];
    }

    /// <inheritdoc />
    public void Dispose() => _weights.Dispose();
}
