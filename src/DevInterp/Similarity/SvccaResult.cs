namespace DevInterp.Similarity;

/// <summary>Result of <see cref="Svcca.Analyze"/>.</summary>
/// <param name="KeptX">Singular directions of X kept (explaining the requested variance fraction).</param>
/// <param name="KeptY">Singular directions of Y kept.</param>
/// <param name="Correlations">Canonical correlations between the kept subspaces, descending.</param>
public sealed record SvccaResult(int KeptX, int KeptY, IReadOnlyList<double> Correlations)
{
    /// <summary>The SVCCA similarity: mean canonical correlation of the kept subspaces.</summary>
    public double MeanCorrelation => Correlations.Average();
}
