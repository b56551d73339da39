using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Orthogonal Procrustes distance between representations after centering and scaling each to unit Frobenius norm:
/// min_Q ‖X − YQ‖²_F over orthogonal Q equals 2 − 2‖XᵀY‖_* (‖·‖_* the nuclear norm, the sum of singular values);
/// the angular form arccos ‖XᵀY‖_* is a metric on shapes. Invariant to orthogonal transforms, isotropic scaling and
/// translation; not to general linear maps. Different feature counts are fine (the smaller is implicitly zero-padded).
/// </summary>
public sealed class OrthogonalProcrustes(ProcrustesOptions? options = null) : ISimilarityMeasure
{
    private readonly ProcrustesOptions _options = Validated(options ?? new ProcrustesOptions());

    /// <summary>The options in use.</summary>
    public ProcrustesOptions Options => _options;

    /// <inheritdoc/>
    public string Name => _options.Metric == ProcrustesMetric.DingDistance ? "procrustes" : "procrustes_angular";

    /// <inheritdoc/>
    public bool IsDistance => true;

    /// <inheritdoc/>
    public double Compute(Matrix<double> x, Matrix<double> y)
    {
        var r = Analyze(x, y);
        return _options.Metric == ProcrustesMetric.DingDistance ? r.DingDistance : r.AngularDistance;
    }

    /// <summary>The nuclear norm and both distances.</summary>
    public ProcrustesResult Analyze(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 2, "Procrustes");
        using var scope = torch.NewDisposeScope();
        var fx = Normalized(RepresentationInput.CenteredTensor(x), "x");
        var fy = Normalized(RepresentationInput.CenteredTensor(y), "y");
        // X = Fx·Qxᵀ with orthonormal Qx, so XᵀY and FxᵀFy have the same singular values.
        double nuclear = torch.linalg.svdvals(fx.t().matmul(fy)).sum().item<double>();
        return new ProcrustesResult(nuclear);
    }

    private static torch.Tensor Normalized(torch.Tensor centered, string name)
    {
        var f = Centering.GramFactor(centered);
        double norm = f.square().sum().sqrt().item<double>();
        if (!(norm > 0))
            throw new ArgumentException($"{name}: the representation has no variance across samples (e.g. all rows identical), so it cannot be scaled to unit norm", name);
        return f / norm;
    }

    private static ProcrustesOptions Validated(ProcrustesOptions o)
    {
        if (!Enum.IsDefined(o.Metric)) throw new ArgumentException($"ProcrustesOptions.Metric: unknown value {o.Metric}", "options");
        return o;
    }
}
