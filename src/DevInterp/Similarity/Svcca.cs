using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// SVCCA (Raghu, Gilmer, Yosinski and Sohl-Dickstein 2017): reduce each centered representation to its top singular
/// directions explaining <see cref="SvccaOptions.VarianceFraction"/> of the variance (of s², not of |s|), then CCA
/// between the two subspaces; the value is the mean canonical correlation. Invariant to orthogonal transforms,
/// isotropic scaling and translation (the truncation depends only on the spectrum); not to general linear maps,
/// which change which directions survive the truncation.
/// </summary>
public sealed class Svcca(SvccaOptions? options = null) : ISimilarityMeasure
{
    private readonly SvccaOptions _options = Validated(options ?? new SvccaOptions());

    /// <summary>The options in use.</summary>
    public SvccaOptions Options => _options;

    /// <inheritdoc/>
    public string Name => "svcca";

    /// <inheritdoc/>
    public bool IsDistance => false;

    /// <inheritdoc/>
    public double Compute(Matrix<double> x, Matrix<double> y) => Analyze(x, y).MeanCorrelation;

    /// <summary>The kept dimensions and the canonical correlations between the kept subspaces.</summary>
    public SvccaResult Analyze(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 2, "SVCCA");
        using var scope = torch.NewDisposeScope();
        var (ux, sx) = CanonicalBasis.Svd(RepresentationInput.CenteredTensor(x));
        var (uy, sy) = CanonicalBasis.Svd(RepresentationInput.CenteredTensor(y));
        int kx = Kept(sx, "x"), ky = Kept(sy, "y");
        // The kept representation U_k·S_k spans the same subspace as U_k, and CCA sees only the subspace.
        var rho = CanonicalBasis.Correlations(CanonicalBasis.Leading(ux, kx), CanonicalBasis.Leading(uy, ky));
        return new SvccaResult(kx, ky, rho);
    }

    /// <summary>Fewest leading directions whose s² reach the variance fraction, capped at the numerical rank.</summary>
    private int Kept(torch.Tensor s, string name)
    {
        int rank = CanonicalBasis.Rank(s, _options.RelativeRankTolerance, name);
        var values = Numerics.TorchMatrix.ToArray(s);
        double total = values.Take(rank).Sum(v => v * v), running = 0;
        for (int k = 0; k < rank; k++)
        {
            running += values[k] * values[k];
            if (running >= _options.VarianceFraction * total) return k + 1;
        }
        return rank;
    }

    private static SvccaOptions Validated(SvccaOptions o)
    {
        if (!(o.VarianceFraction > 0 && o.VarianceFraction <= 1))
            throw new ArgumentException($"SvccaOptions.VarianceFraction: expected a fraction in (0, 1], got {o.VarianceFraction}", "options");
        CanonicalBasis.ValidTolerance(o.RelativeRankTolerance, "SvccaOptions.RelativeRankTolerance");
        return o;
    }
}
