using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// CKA with Gaussian (RBF) kernels k(a, b) = exp(−‖a − b‖²/(2σ²)) and Kornblith et al.'s (2019) data-dependent
/// bandwidth σ = threshold·√median(D²) (see <see cref="RbfCkaOptions"/>), set separately for each representation:
/// CKA = ⟨HKH, HLH⟩ / (‖HKH‖_F·‖HLH‖_F), H = I − 11ᵀ/n. Because σ scales with the data, it is invariant to orthogonal
/// transforms, isotropic scaling and translation. Costs O(n²) memory and n²·d time.
/// </summary>
public sealed class RbfCka(RbfCkaOptions? options = null) : ISimilarityMeasure
{
    private readonly RbfCkaOptions _options = Validated(options ?? new RbfCkaOptions());

    /// <summary>The options in use.</summary>
    public RbfCkaOptions Options => _options;

    /// <inheritdoc/>
    public string Name => "rbf_cka";

    /// <inheritdoc/>
    public bool IsDistance => false;

    /// <inheritdoc/>
    public double Compute(Matrix<double> x, Matrix<double> y)
    {
        RepresentationInput.ValidatePair(x, y, 2, "RBF CKA");
        using var scope = torch.NewDisposeScope();
        var kx = CenterGram(Kernel(RepresentationInput.CenteredTensor(x), "x"));
        var ky = CenterGram(Kernel(RepresentationInput.CenteredTensor(y), "y"));
        double xy = kx.mul(ky).sum().item<double>();
        double xx = kx.square().sum().item<double>();
        double yy = ky.square().sum().item<double>();
        LinearCka.RequireVariance(xx, "x");
        LinearCka.RequireVariance(yy, "y");
        return xy / Math.Sqrt(xx * yy);
    }

    private torch.Tensor Kernel(torch.Tensor centered, string name)
    {
        var d2 = SquaredDistances(centered);
        double median = MedianOfAll(d2);
        if (!(median > 0))
            throw new ArgumentException(
                $"{name}: the median squared distance between samples is 0 (at least half of the n² sample pairs coincide), so the RBF bandwidth is undefined", name);
        double sigma2 = _options.Threshold * _options.Threshold * median;
        return d2.div(-2.0 * sigma2).exp_();
    }

    /// <summary>‖aᵢ − aⱼ‖² from the Gram matrix, clipped at 0 against rounding, with an exact zero diagonal.</summary>
    internal static torch.Tensor SquaredDistances(torch.Tensor a)
    {
        var gram = a.matmul(a.t());
        var sq = gram.diagonal();
        var d2 = sq.unsqueeze(1) + sq.unsqueeze(0) - 2.0 * gram;
        d2.clamp_min_(0.0);
        d2.diagonal().zero_();
        return d2;
    }

    /// <summary>The median of all entries; for an even count, the mean of the two middle values (as numpy).</summary>
    internal static double MedianOfAll(torch.Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        var flat = t.reshape(-1);
        long count = flat.shape[0];
        double Kth(long k) => flat.kthvalue(k, 0).values.item<double>();
        return count % 2 == 1 ? Kth((count + 1) / 2) : 0.5 * (Kth(count / 2) + Kth(count / 2 + 1));
    }

    /// <summary>H·K·H: subtract row and column means, add back the grand mean.</summary>
    internal static torch.Tensor CenterGram(torch.Tensor k)
    {
        var rowMeans = k.mean([1], keepdim: true);
        var colMeans = k.mean([0], keepdim: true);
        return k - rowMeans - colMeans + k.mean();
    }

    private static RbfCkaOptions Validated(RbfCkaOptions o)
    {
        if (!(o.Threshold > 0) || !double.IsFinite(o.Threshold))
            throw new ArgumentException($"RbfCkaOptions.Threshold: expected a positive finite number, got {o.Threshold}", "options");
        return o;
    }
}
