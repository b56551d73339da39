using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Linear centered kernel alignment (Kornblith, Norouzi, Lee and Hinton 2019):
/// CKA(X, Y) = ‖YᵀX‖²_F / (‖XᵀX‖_F·‖YᵀY‖_F) for column-centered X and Y, i.e. HSIC(K, L)/√(HSIC(K, K)·HSIC(L, L))
/// with linear kernels K = XXᵀ, L = YYᵀ. In [0, 1]; 1 for identical representations. Invariant to orthogonal
/// transforms and isotropic scaling of either representation and to translation; not to general invertible linear maps.
/// </summary>
public sealed class LinearCka : ISimilarityMeasure
{
    /// <inheritdoc/>
    public string Name => "linear_cka";

    /// <inheritdoc/>
    public bool IsDistance => false;

    /// <inheritdoc/>
    public double Compute(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 2, "linear CKA");
        using var scope = torch.NewDisposeScope();
        var fx = Centering.GramFactor(RepresentationInput.CenteredTensor(x));
        var fy = Centering.GramFactor(RepresentationInput.CenteredTensor(y));
        double xy = LinearHsic.GramInnerProduct(fx, fy);
        double xx = LinearHsic.GramInnerProduct(fx, fx);
        double yy = LinearHsic.GramInnerProduct(fy, fy);
        RequireVariance(xx, "x");
        RequireVariance(yy, "y");
        return xy / Math.Sqrt(xx * yy);
    }

    internal static void RequireVariance(double selfHsic, string name)
    {
        if (!(selfHsic > 0))
            throw new ArgumentException($"{name}: the representation has no variance across samples (e.g. all rows identical), so CKA is undefined", name);
    }
}
