using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Projection-weighted CCA (Morcos, Raghu and Bengio 2018): Σ αᵢρᵢ with αᵢ ∝ Σⱼ |⟨hᵢ, xⱼ⟩|, where hᵢ are the unit-norm
/// canonical variates (vectors over samples) of the weighting representation and xⱼ its centered neurons (columns).
/// Canonical directions that account for more of the neurons' activity count more, so noise directions with low ρ
/// weigh little. Invariant to isotropic scaling, translation, and permutations and sign flips of neurons — not to
/// general rotations, since the weights sum over the neuron basis. Asymmetric (see <see cref="PwccaOptions.WeightSide"/>).
/// Unlike the reference code, neurons are centered before projecting (the variates are centered, so this only
/// removes a dependence on the neurons' means).
/// </summary>
public sealed class Pwcca(PwccaOptions? options = null) : ISimilarityMeasure
{
    private readonly PwccaOptions _options = Validated(options ?? new PwccaOptions());

    /// <summary>The options in use.</summary>
    public PwccaOptions Options => _options;

    /// <inheritdoc/>
    public string Name => "pwcca";

    /// <inheritdoc/>
    public bool IsDistance => false;

    /// <inheritdoc/>
    public double Compute(Matrix<double> x, Matrix<double> y) => Analyze(x, y).Value;

    /// <summary>The weighted mean with its correlations and weights.</summary>
    public PwccaResult Analyze(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 2, "PWCCA");
        bool byX = _options.WeightSide switch
        {
            PwccaWeightSide.X => true,
            PwccaWeightSide.Y => false,
            _ => x.ColumnCount <= y.ColumnCount,
        };
        var (a, b) = byX ? (x, y) : (y, x);
        using var scope = torch.NewDisposeScope();
        var ca = RepresentationInput.CenteredTensor(a);
        var (ua, sa) = CanonicalBasis.Svd(ca);
        var (ub, sb) = CanonicalBasis.Svd(RepresentationInput.CenteredTensor(b));
        var qa = CanonicalBasis.Leading(ua, CanonicalBasis.Rank(sa, _options.RelativeRankTolerance, byX ? "x" : "y"));
        var qb = CanonicalBasis.Leading(ub, CanonicalBasis.Rank(sb, _options.RelativeRankTolerance, byX ? "y" : "x"));
        var (p, rho, _) = torch.linalg.svd(qa.t().matmul(qb), fullMatrices: false);
        // Canonical variates of the weighting side: orthonormal n-vectors hᵢ = Qa·pᵢ, one per correlation.
        var h = qa.matmul(p);
        var alpha = h.t().matmul(ca).abs().sum([1]);
        alpha = alpha / alpha.sum();
        rho = rho.clamp(0.0, 1.0);
        double value = alpha.dot(rho).item<double>();
        return new PwccaResult(value, Numerics.TorchMatrix.ToArray(rho), Numerics.TorchMatrix.ToArray(alpha), byX ? "x" : "y");
    }

    private static PwccaOptions Validated(PwccaOptions o)
    {
        CanonicalBasis.ValidTolerance(o.RelativeRankTolerance, "PwccaOptions.RelativeRankTolerance");
        if (!Enum.IsDefined(o.WeightSide)) throw new ArgumentException($"PwccaOptions.WeightSide: unknown value {o.WeightSide}", "options");
        return o;
    }
}
