using DevInterp.Numerics;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Representational similarity analysis (Kriegeskorte et al. 2008): build each representation's representational
/// dissimilarity matrix RDMᵢⱼ = 1 − Pearson r(xᵢ, xⱼ) between samples (rows, correlated across features), then take
/// the Spearman correlation of the two RDMs' strict lower triangles (n(n−1)/2 entries, diagonal excluded). Invariant
/// to isotropic scaling, to permuting features, to adding a constant to or positively rescaling any one sample's
/// features, and to any monotone change of the dissimilarities (entries within 1e-12 count as tied); not to rotations or to translation by a non-constant
/// vector (both change the row correlations). Needs at least 3 samples and 2 features.
/// </summary>
public sealed class Rsa : ISimilarityMeasure
{
    /// <summary>
    /// Dissimilarities (which lie in [0, 2]) closer than this are ranked as ties: entries equal in exact arithmetic
    /// often differ in the last bits, and ranking them apart would make the result depend on rounding.
    /// </summary>
    public const double TieTolerance = 1e-12;

    /// <inheritdoc/>
    public string Name => "rsa";

    /// <inheritdoc/>
    public bool IsDistance => false;

    /// <inheritdoc/>
    public double Compute(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 3, "RSA");
        double rho = RankCorrelation.Spearman(LowerTriangle(x, "x"), LowerTriangle(y, "y"), TieTolerance);
        if (double.IsNaN(rho))
            throw new ArgumentException("x, y: an RDM has all off-diagonal dissimilarities equal, so their rank correlation is undefined", "y");
        return rho;
    }

    /// <summary>The correlation-distance RDM of a samples × features matrix (n × n, zero diagonal).</summary>
    public static ReadOnlyMatrix Rdm(Matrix<double> x)
    {
        RepresentationInput.Validate(x, "x", 2, "an RDM");
        using var scope = torch.NewDisposeScope();
        return TorchMatrix.ToReadOnly(RdmTensor(x, "x"));
    }

    private static double[] LowerTriangle(Matrix<double> m, string name)
    {
        using var scope = torch.NewDisposeScope();
        var rdm = RdmTensor(m, name);
        int n = m.RowCount;
        var idx = torch.tril_indices(n, n, -1);
        return TorchMatrix.ToArray(rdm.index([idx[0], idx[1]]));
    }

    private static torch.Tensor RdmTensor(Matrix<double> m, string name)
    {
        if (m.ColumnCount < 2)
            throw new ArgumentException($"{name}: the correlation-distance RDM needs at least 2 features (columns) per sample, got {m.ColumnCount}", name);
        var t = TorchMatrix.ToTensor(m);
        var z = t - t.mean([1], keepdim: true);
        var norms = z.square().sum([1]).sqrt();
        var flat = (norms <= 0).nonzero();
        if (flat.shape[0] > 0)
            throw new ArgumentException(
                $"{name}: sample (row) {flat[0, 0].item<long>()} has the same value in every feature, so its correlation with other samples is undefined", name);
        z = z / norms.unsqueeze(1);
        var rdm = 1.0 - z.matmul(z.t());
        rdm.diagonal().zero_();
        return rdm;
    }
}
