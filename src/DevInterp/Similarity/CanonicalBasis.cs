using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Orthonormal bases of a centered representation's column space (in sample space) from its thin SVD, which is what
/// every CCA variant works on: canonical correlations are the singular values of Qxᵀ·Qy (Björck and Golub 1973).
/// </summary>
internal static class CanonicalBasis
{
    /// <summary>Thin SVD of a centered samples × features tensor, singular values descending.</summary>
    public static (torch.Tensor U, torch.Tensor S) Svd(torch.Tensor centered)
    {
        // Reduce to at most n columns first: the column space and singular values are unchanged.
        using var factor = Centering.GramFactor(centered);
        var (u, s, vh) = torch.linalg.svd(factor, fullMatrices: false);
        vh.Dispose();
        return (u, s);
    }

    /// <summary>
    /// The numerical rank: singular values above <paramref name="relativeTolerance"/>·s_max (and above zero).
    /// Throws when the representation has no variance.
    /// </summary>
    public static int Rank(torch.Tensor s, double relativeTolerance, string name)
    {
        var values = Numerics.TorchMatrix.ToArray(s);
        double max = values.Length == 0 ? 0 : values[0];
        if (!(max > 0))
            throw new ArgumentException($"{name}: the representation has no variance across samples (e.g. all rows identical), so CCA is undefined", name);
        return values.Count(v => v > relativeTolerance * max);
    }

    /// <summary>The first <paramref name="k"/> columns of <paramref name="u"/>.</summary>
    public static torch.Tensor Leading(torch.Tensor u, int k) => u.narrow(1, 0, k);

    /// <summary>Canonical correlations between the spans of two orthonormal bases, descending, clipped to [0, 1].</summary>
    public static double[] Correlations(torch.Tensor qx, torch.Tensor qy)
    {
        using var scope = torch.NewDisposeScope();
        var rho = torch.linalg.svdvals(qx.t().matmul(qy)).clamp(0.0, 1.0);
        return Numerics.TorchMatrix.ToArray(rho);
    }

    /// <summary>Checks a relative rank tolerance option.</summary>
    public static double ValidTolerance(double tolerance, string option)
    {
        if (!(tolerance >= 0 && tolerance < 1))
            throw new ArgumentException($"{option}: expected a relative tolerance in [0, 1), got {tolerance}", "options");
        return tolerance;
    }
}
