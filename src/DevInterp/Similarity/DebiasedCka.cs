using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Debiased linear CKA: CKA built from the unbiased HSIC estimator of Song et al. (2012), equivalently (Kornblith's
/// notebook) from Székely–Rizzo U-centered Gram matrices, ⟨U(K), U(L)⟩ / (‖U(K)‖_F·‖U(L)‖_F). Unlike biased CKA
/// it is ≈ 0 for independent representations even when features outnumber samples. Can be slightly negative.
/// Same invariances as linear CKA (orthogonal transforms, isotropic scaling, translation). Needs n ≥ 4 samples.
/// </summary>
public sealed class DebiasedCka : ISimilarityMeasure
{
    /// <inheritdoc/>
    public string Name => "debiased_cka";

    /// <inheritdoc/>
    public bool IsDistance => false;

    /// <inheritdoc/>
    public double Compute(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 4, "debiased CKA");
        using var scope = torch.NewDisposeScope();
        // U-centering removes any rank-one row or column offset, so centering the columns first changes nothing.
        var fx = Centering.GramFactor(RepresentationInput.CenteredTensor(x));
        var fy = Centering.GramFactor(RepresentationInput.CenteredTensor(y));
        var r = LinearHsic.RowSquaredNorms(fx);
        var q = LinearHsic.RowSquaredNorms(fy);
        double sr = r.sum().item<double>(), sq = q.sum().item<double>();
        long n = x.RowCount;
        double xy = LinearHsic.Unbiased(LinearHsic.GramInnerProduct(fx, fy), r.dot(q).item<double>(), sr, sq, n);
        double xx = LinearHsic.Unbiased(LinearHsic.GramInnerProduct(fx, fx), r.dot(r).item<double>(), sr, sr, n);
        double yy = LinearHsic.Unbiased(LinearHsic.GramInnerProduct(fy, fy), q.dot(q).item<double>(), sq, sq, n);
        LinearCka.RequireVariance(xx, "x");
        LinearCka.RequireVariance(yy, "y");
        return xy / Math.Sqrt(xx * yy);
    }
}
