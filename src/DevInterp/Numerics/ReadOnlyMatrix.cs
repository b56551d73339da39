using MathNet.Numerics.LinearAlgebra;

namespace DevInterp.Numerics;

/// <summary>
/// An immutable dense matrix of doubles (row-major), used for results: similarity matrices, trajectories. Build a
/// MathNet <see cref="Matrix{T}"/> with <see cref="ToMatrix"/> to compute with it.
/// </summary>
public sealed class ReadOnlyMatrix
{
    private readonly double[] _values;

    /// <summary>Takes ownership of <paramref name="rowMajor"/> (callers pass a fresh array that nobody else holds).</summary>
    internal ReadOnlyMatrix(int rows, int columns, double[] rowMajor)
    {
        if (rows < 0 || columns < 0 || (long)rows * columns != rowMajor.Length)
            throw new ArgumentException($"rowMajor: expected {rows}×{columns} = {(long)rows * columns} values, got {rowMajor.Length}");
        Rows = rows;
        Columns = columns;
        _values = rowMajor;
    }

    /// <summary>A copy of <paramref name="matrix"/>.</summary>
    public static ReadOnlyMatrix From(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var values = new double[matrix.RowCount * matrix.ColumnCount];
        for (int i = 0; i < matrix.RowCount; i++)
            for (int j = 0; j < matrix.ColumnCount; j++)
                values[i * matrix.ColumnCount + j] = matrix[i, j];
        return new ReadOnlyMatrix(matrix.RowCount, matrix.ColumnCount, values);
    }

    /// <summary>A copy of <paramref name="values"/>.</summary>
    public static ReadOnlyMatrix From(double[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var copy = new double[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                copy[i * columns + j] = values[i, j];
        return new ReadOnlyMatrix(rows, columns, copy);
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>The entry in row <paramref name="row"/>, column <paramref name="column"/>.</summary>
    public double this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)Rows || (uint)column >= (uint)Columns)
                throw new ArgumentOutOfRangeException(nameof(row), $"entry ({row}, {column}) is outside a {Rows}×{Columns} matrix");
            return _values[row * Columns + column];
        }
    }

    /// <summary>A copy of one row.</summary>
    public double[] Row(int row) => Enumerable.Range(0, Columns).Select(j => this[row, j]).ToArray();

    /// <summary>A copy of one column.</summary>
    public double[] Column(int column) => Enumerable.Range(0, Rows).Select(i => this[i, column]).ToArray();

    /// <summary>A copy as a two-dimensional array.</summary>
    public double[,] ToArray()
    {
        var result = new double[Rows, Columns];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Columns; j++)
                result[i, j] = _values[i * Columns + j];
        return result;
    }

    /// <summary>A copy as a MathNet dense matrix.</summary>
    public Matrix<double> ToMatrix() => Matrix<double>.Build.Dense(Rows, Columns, (i, j) => _values[i * Columns + j]);
}
