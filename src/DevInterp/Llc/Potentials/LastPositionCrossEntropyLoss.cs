using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Cross-entropy of integer class targets [C, B] against logits [C, B, K], or against the logits at the last sequence
/// position of a sequence model's output [C, B, T, K] (how a transformer answers "a ∘ b =": the prediction after the
/// last token). Averaged over samples; equal to <see cref="CrossEntropyChainLoss"/> on [C, B, K] logits.
/// </summary>
public sealed class LastPositionCrossEntropyLoss : IAnalyticChainLoss
{
    private readonly CrossEntropyChainLoss _inner = new();

    /// <inheritdoc />
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets) =>
        _inner.Compute(LastPosition(predictions, targets, out _), targets);

    /// <inheritdoc />
    public (torch.Tensor Loss, torch.Tensor PredictionGradient) ComputeWithGradient(torch.Tensor predictions, torch.Tensor targets)
    {
        var (loss, gradient) = _inner.ComputeWithGradient(LastPosition(predictions, targets, out bool sequence), targets);
        if (!sequence) return (loss, gradient);
        // Only the last position enters the loss: its gradient goes there, zero everywhere else.
        var full = torch.zeros_like(predictions);
        full.select(predictions.dim() - 2, predictions.shape[^2] - 1).copy_(gradient);
        return (loss, full);
    }

    private static torch.Tensor LastPosition(torch.Tensor predictions, torch.Tensor targets, out bool sequence)
    {
        long extra = predictions.dim() - targets.dim();
        sequence = extra == 2;
        if (sequence) return predictions.select(predictions.dim() - 2, predictions.shape[^2] - 1);
        if (extra != 1)
        {
            throw new ArgumentException(
                $"cross-entropy needs logits [C, B, K] or [C, B, T, K] for targets [C, B]; got logits [{string.Join(", ", predictions.shape)}] " +
                $"and targets [{string.Join(", ", targets.shape)}]");
        }
        return predictions;
    }
}
