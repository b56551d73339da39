using DevInterp.Numerics;

namespace DevInterp.Similarity.Steps;

/// <summary>
/// ⟨K_t, K_s⟩ = ‖F_tᵀF_s‖²_F for all checkpoint pairs in feature space. Checkpoints are taken in groups whose
/// transposed factors are stacked into a panel Z_A (g·d rows of n samples, about <c>tileColumns</c> rows); one
/// product Z_A·Z_Bᵀ then holds every F_aᵀF_b of the two groups as d × d blocks, whose squared entries are summed.
/// </summary>
internal static unsafe class FeatureRoute
{
    public static double[,] InnerProducts(IReadOnlyList<CheckpointFactor> factors, int tileColumns, int parallelism)
    {
        int t = factors.Count, n = factors[0].Samples, d = factors[0].Columns;
        // Panel rows: about tileColumns, but at most 16 M doubles (128 MB) per panel when n is large.
        long rows = Math.Min(tileColumns, Math.Max(1, (1L << 24) / n));
        int group = (int)Math.Clamp(rows / Math.Max(1, d), 1, t);
        var result = new double[t, t];
        for (int a0 = 0; a0 < t; a0 += group)
        {
            int ga = Math.Min(group, t - a0);
            var za = Panel(factors, a0, ga);
            for (int b0 = a0; b0 < t; b0 += group)
            {
                int gb = Math.Min(group, t - b0);
                var zb = b0 == a0 ? za : Panel(factors, b0, gb);
                var c = new double[(long)ga * d * gb * d];
                fixed (double* pa = za, pb = zb, pc = c)
                    ParallelProducts.AddProducts(pa, n, pb, n, pc, gb * d, ga * d, gb * d, n, 1.0, upperOnly: false, parallelism);
                for (int i = 0; i < ga; i++)
                    for (int j = 0; j < gb; j++)
                    {
                        double sum = 0;
                        for (int r = 0; r < d; r++)
                        {
                            var row = c.AsSpan((int)((long)(i * d + r) * gb * d + j * d), d);
                            foreach (double v in row) sum += v * v;
                        }
                        result[a0 + i, b0 + j] = result[b0 + j, a0 + i] = sum;
                    }
            }
        }
        return result;
    }

    /// <summary>Rows a·d + f hold feature f of checkpoint a0 + a over the n samples (the transposed factors).</summary>
    private static double[] Panel(IReadOnlyList<CheckpointFactor> factors, int a0, int count)
    {
        int n = factors[0].Samples, d = factors[0].Columns;
        var panel = new double[(long)count * d * n];
        for (int a = 0; a < count; a++)
        {
            var f = factors[a0 + a].Values;
            long baseRow = (long)a * d;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                    panel[(baseRow + j) * n + i] = f[i * d + j];
        }
        return panel;
    }
}
