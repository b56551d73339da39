using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Any loss function as an <see cref="IChainLoss"/>: the escape hatch for a loss the library does not ship. Either give
/// a function of all chains at once (predictions [C, B, ...], targets [C, B, ...] → mean loss per chain [C]), or, with
/// <see cref="PerChain"/>, a function of one model's batch (predictions [B, ...], targets [B, ...] → scalar mean loss)
/// that is applied to each chain in turn. The function must be differentiable in the predictions (TorchSharp
/// operations only) so the sampler gets gradients.
/// </summary>
public sealed class DelegateChainLoss : IChainLoss
{
    private readonly Func<torch.Tensor, torch.Tensor, torch.Tensor> _compute;

    /// <summary>Wraps a function of all chains: (predictions [C, B, ...], targets [C, B, ...]) → [C].</summary>
    public DelegateChainLoss(string name, Func<torch.Tensor, torch.Tensor, torch.Tensor> compute)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(compute);
        Name = name;
        _compute = compute;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>
    /// Wraps a single-model loss (predictions [B, ...], targets [B, ...] → scalar mean over the batch), evaluated once per
    /// chain. Slower than a batched function by the chain count, but any ordinary loss works unchanged.
    /// </summary>
    public static DelegateChainLoss PerChain(string name, Func<torch.Tensor, torch.Tensor, torch.Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return new DelegateChainLoss(name, (predictions, targets) =>
        {
            long chains = predictions.shape[0];
            var perChain = new torch.Tensor[chains];
            for (long c = 0; c < chains; c++)
            {
                var value = loss(predictions[c], targets[c]);
                if (value.numel() != 1)
                    throw new InvalidOperationException($"loss '{name}' returned a tensor of shape [{string.Join(", ", value.shape)}]; expected a scalar (the batch mean)");
                perChain[c] = value.reshape(1);
            }
            return torch.cat(perChain);
        });
    }

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets)
    {
        var result = _compute(predictions, targets);
        long chains = predictions.shape[0];
        if (result.dim() != 1 || result.shape[0] != chains)
            throw new InvalidOperationException($"loss '{Name}' returned shape [{string.Join(", ", result.shape)}]; expected [{chains}] (one mean loss per chain)");
        return result;
    }
}
