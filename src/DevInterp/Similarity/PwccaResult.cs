namespace DevInterp.Similarity;

/// <summary>Result of <see cref="Pwcca.Analyze"/>.</summary>
/// <param name="Value">Σ αᵢ·ρᵢ, the projection-weighted mean canonical correlation.</param>
/// <param name="Correlations">Canonical correlations ρᵢ, descending.</param>
/// <param name="Weights">Normalized weights αᵢ (sum 1), aligned with <paramref name="Correlations"/>.</param>
/// <param name="WeightedBy">The representation whose neurons gave the weights: <c>x</c> or <c>y</c>.</param>
public sealed record PwccaResult(double Value, IReadOnlyList<double> Correlations, IReadOnlyList<double> Weights, string WeightedBy);
