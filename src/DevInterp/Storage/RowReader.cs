using Apache.Arrow;

namespace DevInterp.Storage;

/// <summary>
/// Gives the cells of one row of a stored table by column name; a null in a column read as non-nullable, or text that
/// is not a valid enum value, is an <see cref="AnalysisStoreException"/> naming the file, column and row.
/// </summary>
public sealed class RowReader
{
    private readonly TableSchema _schema;
    private readonly string _source;
    private readonly Dictionary<string, (ColumnSpec Spec, IArrowArray Array)> _columns;
    private readonly (string Suffix, DoubleArray Array)[] _extras;

    internal RowReader(TableSchema schema, RecordBatch batch, string source)
    {
        _schema = schema;
        _source = source;
        _columns = new Dictionary<string, (ColumnSpec, IArrowArray)>(StringComparer.Ordinal);
        for (int i = 0; i < batch.Schema.FieldsList.Count; i++)
            if (schema.Find(batch.Schema.FieldsList[i].Name) is { } spec) _columns[spec.Name] = (spec, batch.Column(i));
        _extras = schema.Extra is { Kind: ColumnKind.Float64 } family
            ? batch.Schema.FieldsList.Select((f, i) => (f.Name, i)).Where(p => schema.Find(p.Name) is null && family.Matches(p.Name))
                .Select(p => (p.Name[family.Prefix.Length..], (DoubleArray)batch.Column(p.i))).ToArray()
            : [];
    }

    /// <summary>Index of the current row in the table.</summary>
    public int Row { get; internal set; }

    /// <summary>A non-null int64 cell.</summary>
    public long Int64(string column) => NullableInt64(column) ?? throw NullError(column);

    /// <summary>An int64 cell that may be null.</summary>
    public long? NullableInt64(string column) => ((Int64Array)Column(column, ColumnKind.Int64)).GetValue(Row);

    /// <summary>A non-null int64 cell that must fit in an int.</summary>
    public int Int32(string column)
    {
        long v = Int64(column);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Error(column, $"{v} does not fit in a 32-bit integer");
    }

    /// <summary>A non-null float64 cell (may be NaN or ±∞).</summary>
    public double Float64(string column) => NullableFloat64(column) ?? throw NullError(column);

    /// <summary>A float64 cell that may be null.</summary>
    public double? NullableFloat64(string column) => ((DoubleArray)Column(column, ColumnKind.Float64)).GetValue(Row);

    /// <summary>A non-null utf8 cell.</summary>
    public string Utf8(string column) => NullableUtf8(column) ?? throw NullError(column);

    /// <summary>A utf8 cell that may be null.</summary>
    public string? NullableUtf8(string column)
    {
        var array = (StringArray)Column(column, ColumnKind.Utf8);
        return array.IsNull(Row) ? null : array.GetString(Row);
    }

    /// <summary>A non-null bool cell.</summary>
    public bool Boolean(string column) => NullableBoolean(column) ?? throw NullError(column);

    /// <summary>A bool cell that may be null.</summary>
    public bool? NullableBoolean(string column) => ((BooleanArray)Column(column, ColumnKind.Boolean)).GetValue(Row);

    /// <summary>A non-null list&lt;float64&gt; cell (possibly empty).</summary>
    public IReadOnlyList<double> Float64List(string column) => ArrowCells.DoubleList(Column(column, ColumnKind.Float64List), Row) ?? throw NullError(column);

    /// <summary>A non-null enum cell stored as snake_case text.</summary>
    public TEnum Enum<TEnum>(string column) where TEnum : struct, System.Enum => NullableEnum<TEnum>(column) ?? throw NullError(column);

    /// <summary>An enum cell that may be null.</summary>
    public TEnum? NullableEnum<TEnum>(string column) where TEnum : struct, System.Enum
    {
        string? text = NullableUtf8(column);
        if (text is null) return null;
        return StoreEnums.TryParse<TEnum>(text) ?? throw Error(column, $"'{text}' is not one of {StoreEnums.Allowed<TEnum>()}");
    }

    /// <summary>The non-null extra float64 cells of this row, by name without the prefix (<c>train_loss</c>).</summary>
    public IReadOnlyDictionary<string, double> Extras()
    {
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (suffix, array) in _extras)
            if (array.GetValue(Row) is { } v) result[suffix] = v;
        return result;
    }

    /// <summary>An error about a cell of the current row, naming the file, table, column and row.</summary>
    public AnalysisStoreException Error(string column, string message) =>
        new($"{_source}: table {_schema.Name}, column '{column}', row {Row}: {message}");

    private AnalysisStoreException NullError(string column) => Error(column, "null where a value is required");

    private IArrowArray Column(string column, ColumnKind kind)
    {
        if (!_columns.TryGetValue(column, out var c))
            throw _schema.Find(column) is null
                ? new ArgumentException($"table {_schema.Name} has no column '{column}'", nameof(column))
                : Error(column, "the column is missing");
        if (c.Spec.Kind != kind)
            throw new ArgumentException($"table {_schema.Name}: column '{column}' is {c.Spec.Kind.TypeName()}, not {kind.TypeName()}", nameof(column));
        return c.Array;
    }
}
