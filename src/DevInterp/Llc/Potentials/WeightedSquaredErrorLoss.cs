using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Squared error with a weight per output, summed over outputs and averaged over samples: mean_b Σ_j w_j (ŷ_bj − y_bj)².
/// The toy model of superposition trains on this loss with w = the feature importances. Predictions and targets are
/// [C, B, K] with K = the number of weights.
/// </summary>
public sealed class WeightedSquaredErrorLoss : IAnalyticChainLoss
{
    private readonly double[] _weights;
    // The weights as a tensor, made once per dtype (outside any dispose scope; freed with the loss by the GC).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(torch.ScalarType, DeviceType), torch.Tensor> _tensors = new();

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
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets) =>
        (predictions.sub(targets).pow(Scalars.Two) * WeightTensor(predictions)).sum(-1).mean([1]);

    /// <inheritdoc />
    public (torch.Tensor Loss, torch.Tensor PredictionGradient) ComputeWithGradient(torch.Tensor predictions, torch.Tensor targets)
    {
        var w = WeightTensor(predictions);
        var diff = predictions.sub(targets);
        var loss = (diff.pow(Scalars.Two) * w).sum(-1).mean([1]);
        using var scale = Scalars.Of(2.0 / predictions.shape[1]);
        return (loss, diff.mul_(w).mul_(scale));
    }

    private torch.Tensor WeightTensor(torch.Tensor predictions)
    {
        if (predictions.shape[^1] != _weights.Length)
            throw new ArgumentException($"predictions have {predictions.shape[^1]} outputs, the loss has {_weights.Length} weights");
        return _tensors.GetOrAdd((predictions.dtype, predictions.device_type), key =>
            torch.tensor(_weights, dtype: key.Item1, device: new torch.Device(key.Item2)).DetachFromDisposeScope());
    }
}
