namespace DevInterp.Similarity;

/// <summary>Result of <see cref="OrthogonalProcrustes.Analyze"/>.</summary>
/// <param name="NuclearNorm">‖XᵀY‖_* of the centered, unit-Frobenius-norm X and Y, in [0, 1]: the largest
/// correlation ⟨X, YQ⟩ over orthogonal Q.</param>
public sealed record ProcrustesResult(double NuclearNorm)
{
    /// <summary>min over orthogonal Q of ‖X − YQ‖²_F = 2 − 2‖XᵀY‖_* (Ding et al. 2021).</summary>
    public double DingDistance => 2.0 - 2.0 * NuclearNorm;

    /// <summary>arccos ‖XᵀY‖_*, the angular Procrustes shape metric (Williams et al. 2021).</summary>
    public double AngularDistance => Math.Acos(Math.Clamp(NuclearNorm, -1.0, 1.0));
}
