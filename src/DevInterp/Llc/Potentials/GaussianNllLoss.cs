using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Negative log-likelihood of a Gaussian observation model y ~ N(f(x), σ²I), without its constant: mean_b ‖y_b − ŷ_b‖²/(2σ²).
/// With the true noise σ, L_n is the empirical NLL that singular learning theory's λ refers to.
/// </summary>
public sealed class GaussianNllLoss(double sigma) : IAnalyticChainLoss
{
    private readonly SquaredErrorLoss _squared = new();

    /// <summary>The noise standard deviation σ.</summary>
    public double Sigma { get; } = sigma > 0 ? sigma : throw new ArgumentOutOfRangeException(nameof(sigma), "σ must be positive");

    /// <inheritdoc />
    public string Name => "gaussian_nll";

    /// <inheritdoc />
    public torch.Tensor Compute(torch.Tensor predictions, torch.Tensor targets) =>
        DivideBy(_squared.Compute(predictions, targets), 2 * Sigma * Sigma);

    private static torch.Tensor DivideBy(torch.Tensor t, double divisor)
    {
        using var d = Scalars.Of(divisor);
        return t.div(d);
    }

    /// <inheritdoc />
    public (torch.Tensor Loss, torch.Tensor PredictionGradient) ComputeWithGradient(torch.Tensor predictions, torch.Tensor targets) =>
        SquaredErrorLoss.WithGradient(predictions, targets, 2 * Sigma * Sigma);
}
