namespace DevInterp.Storage;

/// <summary>One column of a stored table.</summary>
/// <param name="Name">snake_case name.</param>
/// <param name="Kind">Arrow type.</param>
/// <param name="Nullable">Whether the column may hold nulls (missing values); NaN is a value, not a null.</param>
/// <param name="Description">What the column holds, with its unit; copied into docs/analysis-store.md.</param>
public sealed record ColumnSpec(string Name, ColumnKind Kind, bool Nullable, string Description)
{
    /// <summary>A non-nullable int64 column.</summary>
    public static ColumnSpec Int64(string name, string description) => new(name, ColumnKind.Int64, false, description);

    /// <summary>A non-nullable float64 column (NaN allowed).</summary>
    public static ColumnSpec Float64(string name, string description) => new(name, ColumnKind.Float64, false, description);

    /// <summary>A non-nullable utf8 column.</summary>
    public static ColumnSpec Utf8(string name, string description) => new(name, ColumnKind.Utf8, false, description);

    /// <summary>A non-nullable bool column.</summary>
    public static ColumnSpec Boolean(string name, string description) => new(name, ColumnKind.Boolean, false, description);

    /// <summary>A non-nullable list&lt;float64&gt; column (lists may be empty).</summary>
    public static ColumnSpec Float64List(string name, string description) => new(name, ColumnKind.Float64List, false, description);

    /// <summary>This column, nullable.</summary>
    public ColumnSpec OrNull() => this with { Nullable = true };

    /// <summary>
    /// True for a float64 or utf8 column added after files were first written: files without it still load, and its cells
    /// read as NaN (float64) or the empty string (utf8), so analysis folders of an earlier version can be reported and
    /// resumed.
    /// </summary>
    public bool AddedLater { get; init; }

    /// <summary>This column, marked <see cref="AddedLater"/>.</summary>
    public ColumnSpec Later() => Kind is ColumnKind.Float64 or ColumnKind.Utf8 ? this with { AddedLater = true }
        : throw new InvalidOperationException($"column '{Name}': only float64 and utf8 columns can be added later (they read as NaN or \"\" when missing)");
}
