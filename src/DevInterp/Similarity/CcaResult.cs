namespace DevInterp.Similarity;

/// <summary>Canonical correlation analysis of two representations.</summary>
/// <param name="Correlations">Canonical correlations ρ₁ ≥ ρ₂ ≥ … ≥ 0, min(rank X, rank Y) of them.</param>
/// <param name="RankX">Numerical rank of the centered X.</param>
/// <param name="RankY">Numerical rank of the centered Y.</param>
public sealed record CcaResult(IReadOnlyList<double> Correlations, int RankX, int RankY)
{
    /// <summary>Mean canonical correlation ρ̄ = Σρᵢ/k.</summary>
    public double MeanCorrelation => Correlations.Average();

    /// <summary>R²_CCA = Σρᵢ²/k, the mean squared canonical correlation (Kornblith et al. 2019).</summary>
    public double MeanSquaredCorrelation => Correlations.Average(r => r * r);
}
