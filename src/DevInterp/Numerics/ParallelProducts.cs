namespace DevInterp.Numerics;

/// <summary>
/// Multi-threaded C += α·A·Bᵀ on top of <see cref="DotProductKernel"/>: k is cut into chunks of
/// <see cref="KChunk"/> columns so that a chunk of all of B's rows stays in the L2 cache while every 4-row strip of A
/// (one parallel work item each) passes over it. Parallelism uses the .NET thread pool, which degrades gracefully on
/// an oversubscribed machine (unlike spin-waiting OpenMP teams).
/// </summary>
internal static unsafe class ParallelProducts
{
    /// <summary>Columns of k per chunk: 512 doubles = 4 KB per row, ~800 KB for 200 rows.</summary>
    public const int KChunk = 512;

    /// <summary>C[i·ldc + j] += α·Σ_q A[i·lda + q]·B[j·ldb + q]; with <paramref name="upperOnly"/> only j ≥ i is
    /// guaranteed (the caller mirrors).</summary>
    public static void AddProducts(double* a, int lda, double* b, int ldb, double* c, int ldc, int m, int n, int k,
        double alpha, bool upperOnly, int maxParallelism)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism };
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
        int strips = (m + 3) / 4;
        for (int q0 = 0; q0 < k; q0 += KChunk)
        {
            int kc = Math.Min(KChunk, k - q0);
            int offset = q0;
            Parallel.For(0, strips, options, strip =>
            {
                int i0 = strip * 4, rows = Math.Min(4, m - i0);
                DotProductKernel.AddProducts((double*)pa + (long)i0 * lda + offset, lda, (double*)pb + offset, ldb,
                    (double*)pc + (long)i0 * ldc, ldc, rows, n, kc, alpha, upperOnly, i0);
            });
        }
    }
}
