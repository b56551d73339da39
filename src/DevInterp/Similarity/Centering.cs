using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>Centering and Gram-preserving feature reduction of float64 samples × features tensors.</summary>
internal static class Centering
{
    /// <summary>X − 1·meanᵀ: every column (feature) gets mean zero over the samples.</summary>
    public static torch.Tensor CenterColumns(torch.Tensor x)
    {
        using var mean = x.mean([0], keepdim: true);
        return x - mean;
    }

    /// <summary>
    /// A factor F with F·Fᵀ = X·Xᵀ and at most n columns: X itself when it has no more features than samples,
    /// otherwise Rᵀ from the reduced QR decomposition Xᵀ = Q·R (so X = Rᵀ·Qᵀ and X·Xᵀ = Rᵀ·R). Every measure that
    /// depends on X only through its Gram matrix (CKA, CCA, Procrustes) can work on F, and F·ᵀ products then cost at
    /// most n³ instead of n·d².
    /// </summary>
    public static torch.Tensor GramFactor(torch.Tensor centered)
    {
        long n = centered.shape[0], d = centered.shape[1];
        if (d <= n) return centered.alias();
        var (q, r) = torch.linalg.qr(centered.t(), torch.linalg.QRMode.Reduced);
        using (q)
        using (r)
            return r.t().contiguous();
    }
}
