namespace DevInterp.Stages.Costs;

/// <summary>Parameters of the built-in costs.</summary>
/// <param name="RbfGamma">γ of the RBF kernel; null for the median heuristic (<see cref="RbfCost.Fit"/>).</param>
/// <param name="NormalRidge">Relative ridge r of the normal cost (<see cref="NormalCost"/>): R = diag(r·s_j²).</param>
public sealed record CostOptions(double? RbfGamma = null, double NormalRidge = CostOptions.DefaultNormalRidge)
{
    /// <summary>
    /// Default relative ridge of the normal cost: 1% of the noise variance. Small enough not to hide a variance change
    /// of a factor 10, large enough that a short segment whose rows happen to coincide cannot gain more than
    /// n·log(100) over the noise level.
    /// </summary>
    public const double DefaultNormalRidge = 1e-2;

    /// <summary>Defaults.</summary>
    public static CostOptions Default { get; } = new();
}
