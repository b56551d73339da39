namespace DevInterp.Storage;

/// <summary>
/// The few Arrow types the analysis store uses: all of them are read by pandas, polars, DuckDB, R's arrow and the
/// JavaScript implementation without extensions.
/// </summary>
public enum ColumnKind
{
    /// <summary>Signed 64-bit integer (<c>int64</c>): steps, indices, counts, seeds.</summary>
    Int64,
    /// <summary>IEEE 754 double (<c>float64</c>); NaN and ±∞ are values, distinct from null.</summary>
    Float64,
    /// <summary>UTF-8 string (<c>utf8</c>, not large_utf8, not dictionary-encoded).</summary>
    Utf8,
    /// <summary>Boolean (<c>bool</c>).</summary>
    Boolean,
    /// <summary>Variable-length list of doubles (<c>list&lt;float64&gt;</c>); a list may be empty.</summary>
    Float64List,
}

/// <summary>Names and Arrow types of <see cref="ColumnKind"/>.</summary>
public static class ColumnKinds
{
    /// <summary>The type name used in docs/analysis-store.md and the JSON dump: int64, float64, utf8, bool, list&lt;float64&gt;.</summary>
    public static string TypeName(this ColumnKind kind) => kind switch
    {
        ColumnKind.Int64 => "int64",
        ColumnKind.Float64 => "float64",
        ColumnKind.Utf8 => "utf8",
        ColumnKind.Boolean => "bool",
        ColumnKind.Float64List => "list<float64>",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown column kind"),
    };

    /// <summary>The kind named <paramref name="typeName"/> (as written by <see cref="TypeName"/>), or null.</summary>
    public static ColumnKind? FromTypeName(string typeName) =>
        Enum.GetValues<ColumnKind>().Cast<ColumnKind?>().FirstOrDefault(k => k!.Value.TypeName() == typeName);
}
