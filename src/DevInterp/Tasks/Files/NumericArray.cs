namespace DevInterp.Tasks.Files;

/// <summary>A named numeric array read from a data file: row-major float64 values of a given shape (first dimension = samples).</summary>
internal sealed class NumericArray
{
    public NumericArray(string name, long[] shape, double[] values)
    {
        long count = 1;
        foreach (long d in shape) count *= d;
        if (count != values.LongLength) throw new ArgumentException($"array '{name}' of shape [{string.Join(", ", shape)}] has {values.LongLength} values");
        Name = name;
        Shape = shape;
        Values = values;
    }

    public string Name { get; }

    public long[] Shape { get; }

    public double[] Values { get; }

    /// <summary>Number of samples (first dimension); 0-dimensional arrays have none.</summary>
    public long Rows => Shape.Length == 0 ? 0 : Shape[0];

    /// <summary>Values per sample.</summary>
    public long Width => Shape.Length == 0 ? 1 : Shape[1..].Aggregate(1L, (a, b) => a * b);

    public string ShapeText => $"[{string.Join(", ", Shape)}]";

    /// <summary>Column <paramref name="column"/> of a 1-D ([n], column 0 only) or 2-D array, as [n].</summary>
    public NumericArray Column(int column)
    {
        long rows = Rows, width = Width;
        var values = new double[rows];
        for (long i = 0; i < rows; i++) values[i] = Values[i * width + column];
        return new NumericArray($"{Name}[:, {column}]", [rows], values);
    }

    /// <summary>The rows of <paramref name="first"/> followed by those of <paramref name="second"/> (same shape past the first dimension).</summary>
    public static NumericArray Concat(NumericArray first, NumericArray second)
    {
        if (!first.Shape[1..].SequenceEqual(second.Shape[1..])) throw new ArgumentException($"cannot stack {first.ShapeText} and {second.ShapeText}");
        return new NumericArray(first.Name, [first.Rows + second.Rows, .. first.Shape[1..]], [.. first.Values, .. second.Values]);
    }

    /// <summary>The rows <paramref name="indices"/>, in that order.</summary>
    public NumericArray SelectRows(IReadOnlyList<int> indices)
    {
        long width = Width;
        var values = new double[indices.Count * width];
        for (int i = 0; i < indices.Count; i++) Array.Copy(Values, indices[i] * width, values, i * width, width);
        return new NumericArray(Name, [indices.Count, .. Shape[1..]], values);
    }
}
