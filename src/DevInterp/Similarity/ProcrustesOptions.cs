namespace DevInterp.Similarity;

/// <summary>Which number <see cref="OrthogonalProcrustes.Compute"/> reports.</summary>
public enum ProcrustesMetric
{
    /// <summary>Ding, Denain and Steinhardt's (2021) normalized distance 2 − 2‖XᵀY‖_*, in [0, 2].</summary>
    DingDistance,

    /// <summary>Williams et al.'s (2021) angular shape metric arccos ‖XᵀY‖_*, in [0, π/2]; a true metric.</summary>
    AngularDistance,
}

/// <summary>Options of <see cref="OrthogonalProcrustes"/>.</summary>
/// <param name="Metric">The headline number of <see cref="OrthogonalProcrustes.Compute"/>.</param>
public sealed record ProcrustesOptions(ProcrustesMetric Metric = ProcrustesMetric.DingDistance);
