using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;

namespace DevInterp.Tests.Similarity;

/// <summary>Small known matrices and seeded random ones for the similarity tests.</summary>
internal static class SimilarityTestData
{
    public static Matrix<double> M(double[,] values) => Matrix<double>.Build.DenseOfArray(values);

    public static Matrix<double> Column(params double[] values) => Matrix<double>.Build.DenseOfColumnArrays(values);

    /// <summary>x = [1,2,3,4]ᵀ.</summary>
    public static Matrix<double> SmallX => Column(1, 2, 3, 4);

    /// <summary>y = [1,3,2,4]ᵀ.</summary>
    public static Matrix<double> SmallY => Column(1, 3, 2, 4);

    /// <summary>X = [[1,0],[0,1],[2,1],[1,3],[3,2],[0,0]].</summary>
    public static Matrix<double> X => M(new double[,] { { 1, 0 }, { 0, 1 }, { 2, 1 }, { 1, 3 }, { 3, 2 }, { 0, 0 } });

    /// <summary>Y = X·diag(2, 1).</summary>
    public static Matrix<double> XScaled => X * Matrix<double>.Build.DiagonalOfDiagonalArray([2.0, 1.0]);

    /// <summary>Z = [[1,2],[3,1],[0,0],[2,2],[1,0],[4,1]].</summary>
    public static Matrix<double> Z => M(new double[,] { { 1, 2 }, { 3, 1 }, { 0, 0 }, { 2, 2 }, { 1, 0 }, { 4, 1 } });

    /// <summary>An 8 × 3 integer matrix for the CCA-family and RSA references.</summary>
    public static Matrix<double> A => M(new double[,]
    {
        { 1, 0, 2 }, { 0, 1, 1 }, { 2, 1, 0 }, { 1, 3, 1 }, { 3, 2, 2 }, { 0, 0, 1 }, { 2, 2, 3 }, { 1, 4, 0 },
    });

    /// <summary>An 8 × 4 integer matrix for the CCA-family and RSA references.</summary>
    public static Matrix<double> B => M(new double[,]
    {
        { 1, 2, 0, 1 }, { 3, 1, 1, 0 }, { 0, 0, 2, 1 }, { 2, 2, 1, 3 }, { 1, 0, 0, 2 }, { 4, 1, 2, 2 }, { 2, 3, 1, 1 }, { 0, 1, 3, 0 },
    });

    /// <summary>
    /// A pair of related random representations: n samples of X (dx Gaussian features) and Y = tanh(X·W) + noise
    /// (dy features), so that every measure lands strictly between its extremes.
    /// </summary>
    public static (Matrix<double> X, Matrix<double> Y) RelatedPair(int n, int dx, int dy, int seed, double noise = 0.3)
    {
        var x = Gaussian(n, dx, seed);
        var w = Gaussian(dx, dy, seed + 1) / Math.Sqrt(dx);
        var y = (x * w).Map(Math.Tanh) + noise * Gaussian(n, dy, seed + 2);
        return (x, y);
    }

    public static Matrix<double> Gaussian(int rows, int columns, int seed) =>
        Matrix<double>.Build.Random(rows, columns, new Normal(0, 1, new MersenneTwister(seed)));

    /// <summary>A random orthogonal d × d matrix (Q of the QR decomposition of a Gaussian matrix).</summary>
    public static Matrix<double> Orthogonal(int d, int seed) => Gaussian(d, d, seed).QR().Q;

    /// <summary>Adds the same row vector to every row.</summary>
    public static Matrix<double> Translate(Matrix<double> m, int seed)
    {
        var shift = Gaussian(1, m.ColumnCount, seed) * 10;
        return m + Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount, (i, j) => shift[0, j]);
    }
}
