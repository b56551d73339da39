using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Cross-entropy of integer class targets [C, B] against logits [C, B, K], or against the logits at the last sequence
/// position of a sequence model's output [C, B, T, K] (how a transformer answers "a ∘ b =": the prediction after the
/// last token). Averaged over samples; equal to <see cref="CrossEntropyChainLoss"/> on [C, B, K] logits.
/// </summary>
public sealed class LastPositionCrossEntropyLoss : IChainLoss
{
    private readonly CrossEntropyChainLoss _inner = new();

    /// <inheritdoc />
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets)
    {
        long extra = predictions.dim() - targets.dim();
        if (extra == 2) predictions = predictions.select(predictions.dim() - 2, predictions.shape[^2] - 1);
        else if (extra != 1)
        {
            throw new ArgumentException(
                $"cross-entropy needs logits [C, B, K] or [C, B, T, K] for targets [C, B]; got logits [{string.Join(", ", predictions.shape)}] " +
                $"and targets [{string.Join(", ", targets.shape)}]");
        }
        return _inner.Compute(predictions, targets);
    }
}
