using Apache.Arrow;
using Apache.Arrow.Types;

namespace DevInterp.Storage;

/// <summary>Reads single cells of the store's Arrow arrays, and checks that an array has a column's type.</summary>
internal static class ArrowCells
{
    /// <summary>True when <paramref name="type"/> is exactly the Arrow type the store writes for <paramref name="kind"/>.</summary>
    public static bool HasKind(IArrowType type, ColumnKind kind) => kind switch
    {
        ColumnKind.Int64 => type.TypeId == ArrowTypeId.Int64,
        ColumnKind.Float64 => type.TypeId == ArrowTypeId.Double,
        ColumnKind.Utf8 => type.TypeId == ArrowTypeId.String,
        ColumnKind.Boolean => type.TypeId == ArrowTypeId.Boolean,
        ColumnKind.Float64List => type is ListType list && list.ValueDataType.TypeId == ArrowTypeId.Double,
        _ => false,
    };

    public static double[]? DoubleList(IArrowArray array, int index)
    {
        var list = (ListArray)array;
        if (list.IsNull(index)) return null;
        var values = (DoubleArray)list.Values;
        int start = list.ValueOffsets[index], length = list.ValueOffsets[index + 1] - start;
        var result = new double[length];
        for (int i = 0; i < length; i++) result[i] = values.GetValue(start + i) ?? double.NaN;
        return result;
    }

    /// <summary>The cell as a boxed CLR value (long, double, string, bool, double[]) or null.</summary>
    public static object? Value(IArrowArray? array, ColumnKind kind, int index)
    {
        if (array is null || array.IsNull(index)) return null;
        return kind switch
        {
            ColumnKind.Int64 => ((Int64Array)array).GetValue(index),
            ColumnKind.Float64 => ((DoubleArray)array).GetValue(index),
            ColumnKind.Utf8 => ((StringArray)array).GetString(index),
            ColumnKind.Boolean => ((BooleanArray)array).GetValue(index),
            ColumnKind.Float64List => DoubleList(array, index),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown column kind"),
        };
    }

    /// <summary>Cell equality for duplicate detection: nulls equal, NaN equals NaN, lists element-wise.</summary>
    public static bool CellsEqual(IArrowArray? a, int i, IArrowArray? b, int j, ColumnKind kind)
    {
        object? x = Value(a, kind, i), y = Value(b, kind, j);
        if (x is null || y is null) return x is null && y is null;
        if (x is double[] xs && y is double[] ys) return xs.AsSpan().SequenceEqual(ys);
        return x.Equals(y);
    }

    /// <summary>The cell as short text for messages (<c>1200</c>, <c>0.001</c>, <c>'blocks.0'</c>).</summary>
    public static string Describe(IArrowArray? array, ColumnKind kind, int index) => Value(array, kind, index) switch
    {
        null => "null",
        string s => $"'{s}'",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        double[] l => "[" + string.Join(", ", l.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]",
        var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
