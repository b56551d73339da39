namespace DevInterp.Similarity;

/// <summary>Options of <see cref="RbfCka"/>.</summary>
/// <param name="Threshold">
/// Bandwidth as a fraction of the median distance, as in Kornblith et al.'s reference notebook (<c>gram_rbf(x,
/// threshold)</c>): σ = Threshold·√median(D²), i.e. σ² = Threshold²·median(D²), where the median runs over all n²
/// squared pairwise distances including the zero diagonal. Must be positive and finite.
/// </param>
public sealed record RbfCkaOptions(double Threshold = 1.0);
