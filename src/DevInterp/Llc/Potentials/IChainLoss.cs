using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// A per-sample loss averaged over a batch, for all chains at once: predictions and targets are [C, B, ...]; the result
/// is [C]. L_n is the mean of this loss over the training set.
/// </summary>
public interface IChainLoss
{
    /// <summary>Short name (mse, cross_entropy, ...).</summary>
    string Name { get; }

    /// <summary>Mean loss per chain ([C]).</summary>
    torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets);
}

/// <summary>Squared error summed over output dimensions, averaged over samples: mean_b ‖y_b − ŷ_b‖².</summary>
public sealed class SquaredErrorLoss : IAnalyticChainLoss
{
    /// <inheritdoc />
    public string Name => "mse";

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets) => Mean(predictions.sub(targets));

    /// <inheritdoc />
    public (torch.Tensor Loss, torch.Tensor PredictionGradient) ComputeWithGradient(torch.Tensor predictions, torch.Tensor targets) =>
        WithGradient(predictions, targets, 1.0);

    /// <summary>The loss divided by <paramref name="divisor"/> (as <see cref="Compute"/> and a division), and its gradient 2(ŷ − y)/(B·divisor).</summary>
    internal static (torch.Tensor Loss, torch.Tensor PredictionGradient) WithGradient(torch.Tensor predictions, torch.Tensor targets, double divisor)
    {
        var diff = predictions.sub(targets);
        var loss = Mean(diff);
        if (divisor != 1.0)
        {
            using var d = Scalars.Of(divisor);
            loss = loss.div(d);
        }
        using var scale = Scalars.Of(2.0 / (predictions.shape[1] * divisor));
        return (loss, diff.mul(scale));
    }

    // Per-sample sums, then their mean (the order of the training loss, whose values tests pin to five decimals).
    private static torch.Tensor Mean(torch.Tensor diff)
    {
        var perSample = diff.dim() switch
        {
            2 => diff.pow(Scalars.Two),
            3 => diff.pow(Scalars.Two).sum(2),
            _ => diff.pow(Scalars.Two).flatten(2).sum(2),
        };
        return perSample.mean([1]);
    }
}

/// <summary>
/// Cross-entropy of logits [C, B, ..., K] against integer class targets [C, B, ...], averaged over samples and any
/// positions (for a language model: the mean next-token loss over every token of the batch's sequences).
/// </summary>
public sealed class CrossEntropyChainLoss : IAnalyticChainLoss
{
    /// <inheritdoc />
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets) =>
        Mean(torch.nn.functional.log_softmax(predictions, -1), targets.to_type(torch.ScalarType.Int64).unsqueeze(-1));

    /// <inheritdoc />
    public (torch.Tensor Loss, torch.Tensor PredictionGradient) ComputeWithGradient(torch.Tensor predictions, torch.Tensor targets)
    {
        var logp = torch.nn.functional.log_softmax(predictions, -1);
        var index = targets.to_type(torch.ScalarType.Int64).unsqueeze(-1);
        var loss = Mean(logp, index);
        // ∂/∂logits of the mean −log softmax: (softmax − one-hot) / (number of positions averaged per chain).
        long positions = predictions.numel() / (predictions.shape[0] * predictions.shape[^1]);
        var gradient = logp.exp();
        gradient.scatter_add_(-1, index, torch.full_like(index, Scalars.MinusOne, dtype: gradient.dtype));
        using var scale = Scalars.Of(1.0 / positions);
        return (loss, gradient.mul_(scale));
    }

    private static torch.Tensor Mean(torch.Tensor logp, torch.Tensor index) =>
        -logp.gather(-1, index).squeeze(-1).flatten(1).mean([1]);
}
