using DevInterp.Llc.Potentials;
using TorchSharp;

namespace DevInterp.Llc.Validation;

/// <summary>
/// The empirical loss of the normal crossing y = c·x, c = w₁ᵃw₂ᵇ, from the data's moments:
/// L_n(c) = (Syy − 2c·Sxy + c²·Sxx)/s with Sxx, Sxy, Syy the means of x², xy, y² and s the loss's divisor (2σ² for the
/// Gaussian negative log-likelihood, 1 for the mean squared error). The same function as the data path, at the cost of a
/// few scalar operations per chain, so full-batch chains are cheap. Float64.
/// </summary>
public sealed class NormalCrossingGramPotential : IFullBatchPotential
{
    private readonly int _a;
    private readonly int _b;
    private readonly double _xx;
    private readonly double _xy;
    private readonly double _yy;
    private readonly double _divisor;

    /// <summary>Creates the potential of <paramref name="model"/> at <paramref name="center"/> (w1, w2) on <paramref name="data"/>.</summary>
    public NormalCrossingGramPotential(NormalCrossingChainModel model, IReadOnlyDictionary<string, torch.Tensor> center, SupervisedData data, IChainLoss loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(center);
        ArgumentNullException.ThrowIfNull(data);
        _divisor = loss switch
        {
            GaussianNllLoss g => 2 * g.Sigma * g.Sigma,
            SquaredErrorLoss => 1,
            _ => throw new ArgumentException($"the Gram potential needs a squared-error loss, got {loss.Name}"),
        };
        data.Validate();
        (_a, _b) = (model.A, model.B);
        using var scope = torch.NewDisposeScope();
        var x = data.Inputs.to_type(torch.ScalarType.Float64).flatten();
        var y = data.Targets.to_type(torch.ScalarType.Float64).flatten();
        _xx = x.mul(x).mean().item<double>();
        _xy = x.mul(y).mean().item<double>();
        _yy = y.mul(y).mean().item<double>();
        SampleCount = data.Count;
        Parameters = [new SampledParameter("w1", [1], 0), new SampledParameter("w2", [1], 1)];
        Center = torch.cat([center["w1"].to_type(torch.ScalarType.Float64).flatten(), center["w2"].to_type(torch.ScalarType.Float64).flatten()])
            .MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public IReadOnlyList<SampledParameter> Parameters { get; }

    /// <inheritdoc />
    public long Dimension => 2;

    /// <inheritdoc />
    public long SampleCount { get; }

    /// <inheritdoc />
    public torch.Tensor Center { get; }

    /// <inheritdoc />
    public torch.Tensor Loss(torch.Tensor weights, torch.Tensor? batchIndices, torch.Tensor? gradient)
    {
        if (batchIndices is not null) throw new ArgumentException("the Gram potential evaluates the full training set: it takes no minibatch indices");
        using var scope = torch.NewDisposeScope();
        var w = weights.to_type(torch.ScalarType.Float64);
        var w1 = w.select(1, 0);
        var w2 = w.select(1, 1);
        var c = w1.pow(_a).mul(w2.pow(_b));
        var loss = c.mul(c).mul(_xx).sub(c.mul(2 * _xy)).add(_yy).div(_divisor);
        if (gradient is not null)
        {
            var slope = c.mul(2 * _xx).sub(2 * _xy).div(_divisor); // ∂L/∂c
            gradient.select(1, 0).copy_(slope.mul(w1.pow(_a - 1)).mul(w2.pow(_b)).mul(_a));
            gradient.select(1, 1).copy_(slope.mul(w1.pow(_a)).mul(w2.pow(_b - 1)).mul(_b));
        }
        return loss.to_type(weights.dtype).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => Center.Dispose();
}
