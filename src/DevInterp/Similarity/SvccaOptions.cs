namespace DevInterp.Similarity;

/// <summary>Options of <see cref="Svcca"/>.</summary>
/// <param name="VarianceFraction">
/// Keep the fewest top singular directions of each centered representation whose squared singular values (variances)
/// add up to at least this fraction of the total; Raghu et al. use 0.99. In (0, 1].
/// </param>
/// <param name="RelativeRankTolerance">Singular values at most this fraction of the largest count as zero.</param>
public sealed record SvccaOptions(double VarianceFraction = 0.99, double RelativeRankTolerance = 1e-10);
