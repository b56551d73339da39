using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>
/// Linear-kernel HSIC terms from centered Gram factors (F·Fᵀ = K, the centered Gram matrix). With linear kernels
/// tr(K·L) = ‖FxᵀFy‖²_F, which costs n·dx·dy instead of the n²·(dx + dy) of forming both Gram matrices.
/// </summary>
internal static class LinearHsic
{
    /// <summary>‖FxᵀFy‖²_F = tr(Kx·Ky) = ⟨Kx, Ky⟩.</summary>
    public static double GramInnerProduct(torch.Tensor fx, torch.Tensor fy)
    {
        using var scope = torch.NewDisposeScope();
        var cross = fx.t().matmul(fy);
        return cross.square().sum().item<double>();
    }

    /// <summary>Squared row norms rᵢ = Kᵢᵢ of a Gram factor.</summary>
    public static torch.Tensor RowSquaredNorms(torch.Tensor f) => f.square().sum([1]);

    /// <summary>
    /// The unbiased HSIC estimator of Song et al. (2012) for linear kernels of column-centered data, times nothing
    /// else: HSIC₁ = [tr(K̃L̃) + 1ᵀK̃1·1ᵀL̃1/((n−1)(n−2)) − 2/(n−2)·1ᵀK̃L̃1] / (n(n−3)), with K̃ the Gram matrix with its
    /// diagonal set to zero. For centered data K·1 = 0, so with r = diag K and q = diag L:
    /// tr(K̃L̃) = ⟨K, L⟩ − r·q, 1ᵀK̃1 = −Σr, K̃1 = −r, and 1ᵀK̃L̃1 = r·q.
    /// </summary>
    /// <param name="gramInner">⟨K, L⟩ = ‖XᵀY‖²_F.</param>
    /// <param name="rowDot">r·q, the dot product of the two diagonals.</param>
    /// <param name="traceX">Σr = tr K.</param>
    /// <param name="traceY">Σq = tr L.</param>
    /// <param name="n">Number of samples (at least 4).</param>
    public static double Unbiased(double gramInner, double rowDot, double traceX, double traceY, long n) =>
        (gramInner - rowDot + traceX * traceY / ((n - 1.0) * (n - 2.0)) - 2.0 * rowDot / (n - 2.0)) / (n * (n - 3.0));
}
