namespace DevInterp.Similarity;

/// <summary>Which number <see cref="Cca.Compute"/> reports.</summary>
public enum CcaSummary
{
    /// <summary>Mean canonical correlation ρ̄.</summary>
    MeanCorrelation,

    /// <summary>Mean squared canonical correlation R²_CCA.</summary>
    MeanSquaredCorrelation,
}

/// <summary>Options of <see cref="Cca"/>.</summary>
/// <param name="Summary">The headline number of <see cref="Cca.Compute"/>.</param>
/// <param name="RelativeRankTolerance">
/// Directions whose singular value is at most this fraction of the largest are treated as absent (rank deficiency),
/// so that a duplicated or constant feature does not produce a spurious correlation.
/// </param>
public sealed record CcaOptions(CcaSummary Summary = CcaSummary.MeanCorrelation, double RelativeRankTolerance = 1e-10);
