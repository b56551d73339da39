namespace DevInterp.Stages;

/// <summary>
/// Helpers for the signals change-point detection works on: a <c>double[T, d]</c> array, one row per checkpoint (time)
/// and one column per dimension. A univariate curve is a T × 1 array.
/// </summary>
public static class Signals
{
    /// <summary>Wraps a univariate series as a T × 1 signal (copies it).</summary>
    public static double[,] FromSeries(IReadOnlyList<double> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var signal = new double[series.Count, 1];
        for (int t = 0; t < series.Count; t++) signal[t, 0] = series[t];
        return signal;
    }

    /// <summary>Stacks equal-length series as the columns of a T × d signal (copies them).</summary>
    public static double[,] FromColumns(IReadOnlyList<IReadOnlyList<double>> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0) throw new ArgumentException("columns: need at least one series", nameof(columns));
        int length = columns[0].Count;
        var signal = new double[length, columns.Count];
        for (int j = 0; j < columns.Count; j++)
        {
            if (columns[j].Count != length)
                throw new ArgumentException($"columns: series {j} has {columns[j].Count} values, series 0 has {length}", nameof(columns));
            for (int t = 0; t < length; t++) signal[t, j] = columns[j][t];
        }
        return signal;
    }

    /// <summary>One column of a signal, as a new array.</summary>
    public static double[] Column(double[,] signal, int dimension)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var column = new double[signal.GetLength(0)];
        for (int t = 0; t < column.Length; t++) column[t] = signal[t, dimension];
        return column;
    }

    /// <summary>
    /// Checks that a signal has at least one row and one column and only finite values; throws an
    /// <see cref="ArgumentException"/> naming the first offending entry otherwise.
    /// </summary>
    public static void Validate(double[,] signal, string name = "signal")
    {
        if (signal is null) throw new ArgumentNullException(name);
        int length = signal.GetLength(0), dimension = signal.GetLength(1);
        if (length == 0 || dimension == 0)
            throw new ArgumentException($"{name}: expected a T × d array with T ≥ 1 and d ≥ 1, got {length} × {dimension}", name);
        for (int t = 0; t < length; t++)
            for (int j = 0; j < dimension; j++)
                if (!double.IsFinite(signal[t, j]))
                    throw new ArgumentException($"{name}: value at row {t}, column {j} is {signal[t, j]}; expected finite values", name);
    }
}
