using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Canonical correlation analysis: ρᵢ = max corr(Xa, Yb) over directions uncorrelated with the earlier ones, computed
/// as the singular values of Qxᵀ·Qy where Qx, Qy are orthonormal bases of the centered X and Y. Reports the mean ρ or
/// R²_CCA = mean ρ² (<see cref="CcaOptions.Summary"/>). Invariant to any invertible linear map of either
/// representation and to translation. When a representation has at least as many (independent) features as samples
/// minus one, every ρ is 1: CCA needs n well above the feature count.
/// </summary>
public sealed class Cca(CcaOptions? options = null) : ISimilarityMeasure
{
    private readonly CcaOptions _options = Validated(options ?? new CcaOptions());

    /// <summary>The options in use.</summary>
    public CcaOptions Options => _options;

    /// <inheritdoc/>
    public string Name => _options.Summary == CcaSummary.MeanCorrelation ? "cca" : "cca_r2";

    /// <inheritdoc/>
    public bool IsDistance => false;

    /// <inheritdoc/>
    public double Compute(Matrix<double> x, Matrix<double> y)
    {
        var r = Analyze(x, y);
        return _options.Summary == CcaSummary.MeanCorrelation ? r.MeanCorrelation : r.MeanSquaredCorrelation;
    }

    /// <summary>All canonical correlations and the ranks they came from.</summary>
    public CcaResult Analyze(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 2, "CCA");
        using var scope = torch.NewDisposeScope();
        var (ux, sx) = CanonicalBasis.Svd(RepresentationInput.CenteredTensor(x));
        var (uy, sy) = CanonicalBasis.Svd(RepresentationInput.CenteredTensor(y));
        int rx = CanonicalBasis.Rank(sx, _options.RelativeRankTolerance, "x");
        int ry = CanonicalBasis.Rank(sy, _options.RelativeRankTolerance, "y");
        var rho = CanonicalBasis.Correlations(CanonicalBasis.Leading(ux, rx), CanonicalBasis.Leading(uy, ry));
        return new CcaResult(rho, rx, ry);
    }

    private static CcaOptions Validated(CcaOptions o)
    {
        CanonicalBasis.ValidTolerance(o.RelativeRankTolerance, "CcaOptions.RelativeRankTolerance");
        if (!Enum.IsDefined(o.Summary)) throw new ArgumentException($"CcaOptions.Summary: unknown value {o.Summary}", "options");
        return o;
    }
}
