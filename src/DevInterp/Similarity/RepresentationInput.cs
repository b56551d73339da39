using DevInterp.Numerics;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace DevInterp.Similarity;

/// <summary>Checks on the matrices handed to a measure, with one-line errors naming the argument.</summary>
internal static class RepresentationInput
{
    /// <summary>Checks one samples × features matrix: at least <paramref name="minRows"/> rows, a column, finite values.</summary>
    public static void Validate(Matrix<double>? m, string name, int minRows, string measure)
    {
        if (m is null) throw new ArgumentNullException(name, $"{name}: expected a samples × features matrix, got null");
        if (m.RowCount < minRows)
            throw new ArgumentException($"{name}: {measure} needs at least {minRows} samples (rows), got {m.RowCount}", name);
        if (m.ColumnCount < 1)
            throw new ArgumentException($"{name}: expected at least one feature (column), got 0", name);
        // Dense storage is column-major: scan the array itself (the indexer costs a call per entry).
        double[] values = m.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseColumnMajorMatrixStorage<double> dense
            ? dense.Data
            : m.ToColumnMajorArray();
        int bad = Array.FindIndex(values, v => !double.IsFinite(v));
        if (bad >= 0)
        {
            int i = bad % m.RowCount, j = bad / m.RowCount;
            throw new ArgumentException($"{name}: entry ({i}, {j}) is {values[bad]}; expected finite values", name);
        }
    }

    /// <summary>Checks both matrices and that they describe the same samples (equal row counts).</summary>
    public static void ValidatePair(Matrix<double>? x, Matrix<double>? y, int minRows, string measure)
    {
        Validate(x, "x", minRows, measure);
        Validate(y, "y", minRows, measure);
        if (x!.RowCount != y!.RowCount)
            throw new ArgumentException(
                $"y: has {y.RowCount} rows but x has {x.RowCount}; both must hold the same samples (rows) in the same order", "y");
    }

    /// <summary>The matrix as a float64 tensor with each column's mean removed.</summary>
    public static torch.Tensor CenteredTensor(Matrix<double> m)
    {
        using var t = TorchMatrix.ToTensor(m);
        return Centering.CenterColumns(t);
    }
}
