using TorchSharp;

namespace DevInterp.Similarity.Steps;

/// <summary>
/// ⟨K_t, K_s⟩ for all checkpoint pairs through the centered Gram matrices, one sample block (I, J) at a time:
/// row t of M holds vec(K_t[I, J]) = vec(F_t[I]·F_t[J]ᵀ), and G += w·M·Mᵀ with w = 2 for off-diagonal blocks (K is
/// symmetric, so block (J, I) contributes the same). Each Gram entry is computed once per checkpoint; memory is
/// T·b² doubles for M on top of the stored factors.
/// </summary>
internal static class GramRoute
{
    public static double[,] InnerProducts(IReadOnlyList<torch.Tensor> factors, int blockSize)
    {
        int t = factors.Count;
        long n = factors[0].shape[0];
        long b = Math.Min(blockSize, n);
        using var g = torch.zeros(t, t, torch.float64);
        for (long i0 = 0; i0 < n; i0 += b)
        {
            long bi = Math.Min(b, n - i0);
            for (long j0 = i0; j0 < n; j0 += b)
            {
                long bj = Math.Min(b, n - j0);
                using var scope = torch.NewDisposeScope();
                var m = torch.empty(t, bi * bj, torch.float64);
                for (int k = 0; k < t; k++)
                {
                    var rowsI = factors[k].narrow(0, i0, bi);
                    var rowsJ = factors[k].narrow(0, j0, bj);
                    m[k].view(bi, bj).addmm_(rowsI, rowsJ.t(), beta: 0, alpha: 1);
                }
                g.addmm_(m, m.t(), beta: 1, alpha: i0 == j0 ? 1 : 2);
            }
        }
        return ToArray(g, t);
    }

    internal static double[,] ToArray(torch.Tensor g, int t)
    {
        var flat = g.contiguous().data<double>().ToArray();
        var result = new double[t, t];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < t; j++)
                result[i, j] = 0.5 * (flat[i * t + j] + flat[j * t + i]); // exact symmetry despite summation order
        return result;
    }
}
