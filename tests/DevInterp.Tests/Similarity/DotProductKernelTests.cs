using DevInterp.Numerics;
using static DevInterp.Tests.Similarity.SimilarityTestData;

namespace DevInterp.Tests.Similarity;

/// <summary>The hand-written A·Bᵀ kernel against MathNet's product, on ragged shapes and on both SIMD widths.</summary>
public class DotProductKernelTests
{
    [Theory]
    [InlineData(true, 9, 7, 13)]
    [InlineData(true, 8, 12, 16)]
    [InlineData(false, 9, 7, 13)]
    [InlineData(false, 4, 4, 1)]
    public unsafe void SingleThreadedKernelMatchesMathNet(bool vector512, int m, int n, int k)
    {
        if (vector512 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) vector512 = false;
        var a = Gaussian(m, k, 1);
        var b = Gaussian(n, k, 2);
        var expected = 0.5 * (a * b.Transpose()) + 1.0;
        var c = Enumerable.Repeat(1.0, m * n).ToArray();
        double[] pa = a.ToRowMajorArray(), pb = b.ToRowMajorArray();
        bool saved = DotProductKernel.UseVector512;
        try
        {
            DotProductKernel.UseVector512 = vector512;
            fixed (double* xa = pa, xb = pb, xc = c)
                DotProductKernel.AddProducts(xa, k, xb, k, xc, n, m, n, k, 0.5);
        }
        finally
        {
            DotProductKernel.UseVector512 = saved;
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) Assert.Equal(expected[i, j], c[i * n + j], 1e-12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void ParallelChunkedProductMatchesMathNet(bool upperOnly)
    {
        // k spans three chunks (two full, one ragged) and the rows two blocks (one ragged); m = n for the symmetric
        // (upper-only) use.
        int m = ParallelProducts.BlockRows + 11, k = 2 * ParallelProducts.KChunk + 37;
        var a = Gaussian(m, k, 3);
        var expected = a * a.Transpose();
        var c = new double[m * m];
        double[] pa = a.ToRowMajorArray();
        fixed (double* xa = pa, xc = c)
            ParallelProducts.AddProducts(xa, k, xa, k, xc, m, m, m, k, 1.0, upperOnly, maxParallelism: 2);
        for (int i = 0; i < m; i++)
            for (int j = upperOnly ? i : 0; j < m; j++) Assert.Equal(expected[i, j], c[i * m + j], 1e-9);
    }
}
