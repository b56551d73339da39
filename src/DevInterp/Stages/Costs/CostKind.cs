namespace DevInterp.Stages.Costs;

/// <summary>The built-in segment costs.</summary>
public enum CostKind
{
    /// <summary>Sum of squared deviations from the segment mean: detects mean shifts (<see cref="L2Cost"/>).</summary>
    L2,
    /// <summary>Sum of absolute deviations from the segment median: mean shifts, robust to outliers (<see cref="L1Cost"/>).</summary>
    L1,
    /// <summary>Gaussian negative log-likelihood with segment mean and covariance: mean and scale changes (<see cref="NormalCost"/>).</summary>
    Normal,
    /// <summary>Gaussian-kernel (RBF) cost: any change of distribution (<see cref="RbfCost"/>).</summary>
    Rbf,
}
