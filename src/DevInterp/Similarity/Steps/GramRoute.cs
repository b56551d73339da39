using DevInterp.Numerics;

namespace DevInterp.Similarity.Steps;

/// <summary>
/// ⟨K_t, K_s⟩ for all checkpoint pairs through the centered Gram matrices, one sample block (I, J) at a time, I ≤ J:
/// row t of M holds vec(K_t[I, J]) = vec(F_t[I]·F_t[J]ᵀ) (checkpoints in parallel), and G += w·M·Mᵀ with w = 2 for
/// off-diagonal blocks (K is symmetric, so block (J, I) contributes the same; only G's upper triangle is formed).
/// Each Gram entry is computed once per checkpoint; memory is T·b² doubles for M on top of the stored factors.
/// </summary>
internal static unsafe class GramRoute
{
    public static double[,] InnerProducts(IReadOnlyList<CheckpointFactor> factors, int blockSize, int parallelism)
    {
        int t = factors.Count, n = factors[0].Samples, d = factors[0].Columns;
        int b = Math.Min(blockSize, n);
        var m = new double[(long)t * b * b];
        var g = new double[t * t];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism };
        for (int i0 = 0; i0 < n; i0 += b)
        {
            int bi = Math.Min(b, n - i0);
            for (int j0 = i0; j0 < n; j0 += b)
            {
                int bj = Math.Min(b, n - j0), width = bi * bj;
                Parallel.For(0, t, options, k =>
                {
                    Array.Clear(m, k * width, width);
                    fixed (double* f = factors[k].Values, row = &m[(long)k * width])
                        DotProductKernel.AddProducts(f + (long)i0 * d, d, f + (long)j0 * d, d, row, bj, bi, bj, d, 1.0);
                });
                fixed (double* pm = m, pg = g)
                    ParallelProducts.AddProducts(pm, width, pm, width, pg, t, t, t, width, i0 == j0 ? 1.0 : 2.0, upperOnly: true, parallelism);
            }
        }
        return Symmetric(g, t);
    }

    /// <summary>The T × T matrix from its upper triangle.</summary>
    internal static double[,] Symmetric(double[] upper, int t)
    {
        var result = new double[t, t];
        for (int i = 0; i < t; i++)
            for (int j = i; j < t; j++)
                result[i, j] = result[j, i] = upper[i * t + j];
        return result;
    }
}
