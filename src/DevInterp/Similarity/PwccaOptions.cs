namespace DevInterp.Similarity;

/// <summary>Which representation's neurons weight the canonical correlations in <see cref="Pwcca"/>.</summary>
public enum PwccaWeightSide
{
    /// <summary>The representation with fewer features (X on a tie), as in Morcos et al.'s reference code.</summary>
    FewerFeatures,

    /// <summary>Always X (PWCCA is asymmetric: PWCCA(X, Y) ≠ PWCCA(Y, X) in general).</summary>
    X,

    /// <summary>Always Y.</summary>
    Y,
}

/// <summary>Options of <see cref="Pwcca"/>.</summary>
/// <param name="WeightSide">Whose neurons define the projection weights.</param>
/// <param name="RelativeRankTolerance">Singular values at most this fraction of the largest count as zero.</param>
public sealed record PwccaOptions(PwccaWeightSide WeightSide = PwccaWeightSide.FewerFeatures, double RelativeRankTolerance = 1e-10);
