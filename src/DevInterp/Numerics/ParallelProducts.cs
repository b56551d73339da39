namespace DevInterp.Numerics;

/// <summary>
/// Multi-threaded C += α·A·Bᵀ on top of <see cref="DotProductKernel"/>, blocked for the caches: k is cut into chunks
/// of <see cref="KChunk"/> columns and B's rows into blocks of <see cref="BlockRows"/>, so that one block of B
/// (128 rows × 512 doubles = 512 KB) stays in a core's L2 cache while 4-row strips of A (the parallel work items)
/// pass over it. Parallelism uses the .NET thread pool, which degrades gracefully on an oversubscribed machine
/// (unlike spin-waiting OpenMP teams).
/// </summary>
internal static unsafe class ParallelProducts
{
    /// <summary>Columns of k per chunk: 512 doubles = 4 KB per row.</summary>
    public const int KChunk = 512;

    /// <summary>Rows of B per block (a multiple of 4).</summary>
    public const int BlockRows = 128;

    /// <summary>C[i·ldc + j] += α·Σ_q A[i·lda + q]·B[j·ldb + q]; with <paramref name="upperOnly"/> (A and B the same
    /// rows) only j ≥ i is guaranteed and the caller mirrors.</summary>
    public static void AddProducts(double* a, int lda, double* b, int ldb, double* c, int ldc, int m, int n, int k,
        double alpha, bool upperOnly, int maxParallelism)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism };
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        int strips = (m + 3) / 4;
        for (int q0 = 0; q0 < k; q0 += KChunk)
        {
            int kc = Math.Min(KChunk, k - q0), offset = q0;
            for (int j0 = 0; j0 < n; j0 += BlockRows)
            {
                int nb = Math.Min(BlockRows, n - j0), column = j0;
                // Upper triangle only: strips starting at or beyond the block's end have nothing in it.
                int stripCount = upperOnly ? Math.Min(strips, (j0 + nb + 3) / 4) : strips;
                Parallel.For(0, stripCount, options, strip =>
                {
                    int i0 = strip * 4, rows = Math.Min(4, m - i0);
                    DotProductKernel.AddProducts((double*)pa + (long)i0 * lda + offset, lda, (double*)pb + (long)column * ldb + offset, ldb,
                        (double*)pc + (long)i0 * ldc + column, ldc, rows, nb, kc, alpha, upperOnly, i0 - column);
                });
            }
        }
    }
}
