using DevInterp.Llc.Validation;
using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// The empirical squared-error loss of a deep linear network y = W_L⋯W_1·x (linear regression for one layer) from the
/// data's second moments: with P = W_L⋯W_1, Σxx = XᵀX/n, Σxy = XᵀY/n, the center's product P₀ and R = P₀Σxx − Σxyᵀ,
/// L_n(P) = L_n(P₀) + [tr(ΔΣxxΔᵀ) + 2·tr(ΔRᵀ)]/s with Δ = P − P₀ and s the loss's divisor (2σ² for the Gaussian
/// negative log-likelihood, 1 for the mean squared error). This is L_n exactly (the same function the data path
/// computes, up to float rounding), at a cost of a few products of the layer widths instead of a pass over n samples,
/// so full-batch chains are affordable at any n. Float64; gradients by hand.
/// </summary>
public sealed class DeepLinearGramPotential : IFullBatchPotential
{
    private readonly long[][] _shapes; // per layer [out, in]
    private readonly torch.Tensor _secondMoment; // Σxx [in, in]
    private readonly torch.Tensor _product;      // P₀ [out, in]
    private readonly torch.Tensor _residual;     // R = P₀Σxx − Σxyᵀ [out, in]
    private readonly double _divisor;
    private readonly double _centerLoss;

    /// <summary>Creates the potential of <paramref name="model"/> at <paramref name="center"/> on <paramref name="data"/>.</summary>
    /// <param name="model">A <see cref="DeepLinearChainModel"/> or <see cref="LinearChainModel"/> (no biases).</param>
    /// <param name="center">w*, by parameter name.</param>
    /// <param name="data">Inputs [n, in], targets [n, out].</param>
    /// <param name="loss">A <see cref="GaussianNllLoss"/> or <see cref="SquaredErrorLoss"/>.</param>
    public DeepLinearGramPotential(IChainModel model, IReadOnlyDictionary<string, torch.Tensor> center, SupervisedData data, IChainLoss loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(center);
        ArgumentNullException.ThrowIfNull(data);
        if (model is not (DeepLinearChainModel or LinearChainModel))
            throw new ArgumentException($"the Gram potential needs a deep linear network or linear regression, got {model.GetType().Name}");
        _divisor = loss switch
        {
            GaussianNllLoss g => 2 * g.Sigma * g.Sigma,
            SquaredErrorLoss => 1,
            _ => throw new ArgumentException($"the Gram potential needs a squared-error loss, got {loss.Name}"),
        };
        data.Validate();
        using var scope = torch.NewDisposeScope();
        var parameters = new List<SampledParameter>();
        long offset = 0;
        torch.Tensor? product = null;
        foreach (var (name, shape) in model.ParameterShapes)
        {
            if (!center.TryGetValue(name, out var value)) throw new ArgumentException($"no value for parameter '{name}' at the checkpoint");
            parameters.Add(new SampledParameter(name, shape, offset));
            offset += shape[0] * shape[1];
            var w = value.detach().to_type(torch.ScalarType.Float64);
            product = product is null ? w : torch.matmul(w, product);
        }
        Parameters = parameters;
        _shapes = parameters.Select(p => p.Shape).ToArray();
        Dimension = offset;
        SampleCount = data.Count;
        Center = torch.cat(parameters.Select(p => center[p.Name].detach().to_type(torch.ScalarType.Float64).flatten()).ToArray())
            .MoveToOuterDisposeScope().DetachFromDisposeScope();
        var x = data.Inputs.to_type(torch.ScalarType.Float64);
        var y = data.Targets.to_type(torch.ScalarType.Float64);
        var secondMoment = torch.matmul(x.T, x).div_(SampleCount);
        var cross = torch.matmul(x.T, y).div_(SampleCount); // [in, out]
        _residual = torch.matmul(product!, secondMoment).sub_(cross.T).MoveToOuterDisposeScope().DetachFromDisposeScope();
        _secondMoment = secondMoment.MoveToOuterDisposeScope().DetachFromDisposeScope();
        _product = product!.MoveToOuterDisposeScope().DetachFromDisposeScope();
        var error = y - torch.matmul(x, _product.T);
        _centerLoss = error.mul(error).sum(1).mean().item<double>() / _divisor;
    }

    /// <inheritdoc />
    public IReadOnlyList<SampledParameter> Parameters { get; }

    /// <inheritdoc />
    public long Dimension { get; }

    /// <inheritdoc />
    public long SampleCount { get; }

    /// <inheritdoc />
    public torch.Tensor Center { get; }

    /// <inheritdoc />
    public torch.Tensor Loss(torch.Tensor weights, torch.Tensor? batchIndices, torch.Tensor? gradient)
    {
        if (batchIndices is not null) throw new ArgumentException("the Gram potential evaluates the full training set: it takes no minibatch indices");
        using var scope = torch.NewDisposeScope();
        long chains = weights.shape[0];
        var w = weights.to_type(torch.ScalarType.Float64);
        var layers = new torch.Tensor[_shapes.Length];
        var prefixes = new torch.Tensor[_shapes.Length]; // W_k⋯W_1
        for (int k = 0; k < _shapes.Length; k++)
        {
            layers[k] = w.narrow(1, Parameters[k].Offset, Parameters[k].Count).view(chains, _shapes[k][0], _shapes[k][1]);
            prefixes[k] = k == 0 ? layers[k] : torch.bmm(layers[k], prefixes[k - 1]);
        }
        var delta = prefixes[^1] - _product;                          // [C, out, in]
        var slope = torch.matmul(delta, _secondMoment).add_(_residual); // ΔΣxx + R: ∂L/∂P · s/2... (× 2/s below)
        var loss = delta.mul(slope.add(_residual)).sum([1, 2]).div_(_divisor).add_(_centerLoss);
        if (gradient is not null)
        {
            // ∂L/∂P = 2(ΔΣxx + R)/s; ∂L/∂W_k = (W_L⋯W_{k+1})ᵀ·∂L/∂P·(W_{k−1}⋯W_1)ᵀ, accumulated from the last layer down.
            var upstream = slope.mul_(2 / _divisor);
            for (int k = _shapes.Length - 1; k >= 0; k--)
            {
                var g = k == 0 ? upstream : torch.bmm(upstream, prefixes[k - 1].transpose(1, 2));
                gradient.narrow(1, Parameters[k].Offset, Parameters[k].Count).copy_(g.reshape(chains, -1));
                if (k > 0) upstream = torch.bmm(layers[k].transpose(1, 2), upstream);
            }
        }
        return loss.to_type(weights.dtype).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Center.Dispose();
        _secondMoment.Dispose();
        _product.Dispose();
        _residual.Dispose();
    }
}
