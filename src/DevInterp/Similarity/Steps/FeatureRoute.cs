using DevInterp.Numerics;

namespace DevInterp.Similarity.Steps;

/// <summary>
/// ⟨K_t, K_s⟩ = ‖F_tᵀF_s‖²_F for all checkpoint pairs in feature space. Checkpoints are taken in groups whose
/// transposed factors are stacked into a panel Z_A (g·d rows of n samples, about <c>tileColumns</c> rows); one
/// product Z_A·Z_Bᵀ then holds every F_aᵀF_b of the two groups as d × d blocks, whose squared entries are summed.
/// A group against itself needs only the upper triangle (F_aᵀF_a is symmetric, F_bᵀF_a = (F_aᵀF_b)ᵀ). Panels and
/// the product reuse three buffers: fresh multi-megabyte arrays cost a page fault per 4 KB.
/// </summary>
internal static unsafe class FeatureRoute
{
    public static double[,] InnerProducts(IReadOnlyList<CheckpointFactor> factors, int tileColumns, int parallelism)
    {
        int t = factors.Count, n = factors[0].Samples, d = factors[0].Columns;
        // Panel rows: about tileColumns, but at most 16 M doubles (128 MB) per panel when n is large.
        long rows = Math.Min(tileColumns, Math.Max(1, (1L << 24) / n));
        int group = (int)Math.Clamp(rows / Math.Max(1, d), 1, t);
        int width = group * d;
        var za = new double[(long)width * n];
        var zb = new double[(long)width * n];
        var c = new double[(long)width * width];
        var result = new double[t, t];
        for (int a0 = 0; a0 < t; a0 += group)
        {
            int ga = Math.Min(group, t - a0);
            Fill(za, factors, a0, ga);
            for (int b0 = a0; b0 < t; b0 += group)
            {
                int gb = Math.Min(group, t - b0);
                bool same = b0 == a0;
                if (!same) Fill(zb, factors, b0, gb);
                int ldc = gb * d;
                Array.Clear(c, 0, ga * d * ldc);
                fixed (double* pa = za, pb = same ? za : zb, pc = c)
                    ParallelProducts.AddProducts(pa, n, pb, n, pc, ldc, ga * d, gb * d, n, 1.0, upperOnly: same, parallelism);
                for (int i = 0; i < ga; i++)
                    for (int j = same ? i : 0; j < gb; j++)
                    {
                        double sum = same && i == j ? SymmetricBlockSquares(c, ldc, i * d, d) : BlockSquares(c, ldc, i * d, j * d, d);
                        result[a0 + i, b0 + j] = result[b0 + j, a0 + i] = sum;
                    }
            }
        }
        return result;
    }

    private static double BlockSquares(double[] c, int ldc, int row0, int col0, int d)
    {
        double sum = 0;
        for (int r = 0; r < d; r++)
            foreach (double v in c.AsSpan((row0 + r) * ldc + col0, d)) sum += v * v;
        return sum;
    }

    /// <summary>Σ v² over a symmetric d × d diagonal block from its upper triangle (the lower one may be missing).</summary>
    private static double SymmetricBlockSquares(double[] c, int ldc, int start, int d)
    {
        double diagonal = 0, upper = 0;
        for (int r = 0; r < d; r++)
        {
            var row = c.AsSpan((start + r) * ldc + start, d);
            diagonal += row[r] * row[r];
            for (int j = r + 1; j < d; j++) upper += row[j] * row[j];
        }
        return diagonal + 2 * upper;
    }

    /// <summary>Rows a·d + f of <paramref name="panel"/> hold feature f of checkpoint a0 + a over the n samples.</summary>
    private static void Fill(double[] panel, IReadOnlyList<CheckpointFactor> factors, int a0, int count)
    {
        int n = factors[0].Samples, d = factors[0].Columns;
        for (int a = 0; a < count; a++)
        {
            var f = factors[a0 + a].Values;
            long baseRow = (long)a * d;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                    panel[(baseRow + j) * n + i] = f[i * d + j];
        }
    }
}
