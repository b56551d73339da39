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
public sealed class SquaredErrorLoss : IChainLoss
{
    /// <inheritdoc />
    public string Name => "mse";

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets)
    {
        var diff = predictions - targets;
        var perSample = diff.dim() > 2 ? diff.square().flatten(2).sum(2) : diff.square();
        return perSample.mean([1]);
    }
}

/// <summary>
/// Cross-entropy of logits [C, B, ..., K] against integer class targets [C, B, ...], averaged over samples and any
/// positions (for a language model: the mean next-token loss over every token of the batch's sequences).
/// </summary>
public sealed class CrossEntropyChainLoss : IChainLoss
{
    /// <inheritdoc />
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets)
    {
        var logp = torch.nn.functional.log_softmax(predictions, -1);
        var picked = logp.gather(-1, targets.to_type(torch.ScalarType.Int64).unsqueeze(-1)).squeeze(-1);
        return -picked.flatten(1).mean([1]);
    }
}
