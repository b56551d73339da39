using Apache.Arrow;

namespace DevInterp.Storage;

/// <summary>
/// Receives the cells of the rows being written, by column name, and checks them against the table's schema: every
/// fixed column exactly once per row, the right type, no null where the column is not nullable.
/// </summary>
public sealed class RowWriter
{
    private readonly TableSchema _schema;
    private readonly ColumnBuffer[] _fixed;
    private readonly Dictionary<string, int> _index;
    private readonly bool[] _written;
    private readonly SortedDictionary<string, ColumnBuffer> _extra = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _extraThisRow = new(StringComparer.Ordinal);
    private int _rows;
    private bool _inRow;

    internal RowWriter(TableSchema schema)
    {
        _schema = schema;
        _fixed = schema.Columns.Select(c => ColumnBuffer.Create(c.Kind)).ToArray();
        _index = schema.Columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _written = new bool[_fixed.Length];
    }

    /// <summary>Rows completed so far.</summary>
    public int RowCount => _rows;

    /// <summary>Writes an int64 cell (null only in a nullable column).</summary>
    public void Int64(string column, long? value) => ((Int64Buffer)Cell(column, ColumnKind.Int64, value is null)).Append(value);

    /// <summary>Writes a float64 cell (null only in a nullable column; NaN and ±∞ are kept as values).</summary>
    public void Float64(string column, double? value) => ((Float64Buffer)Cell(column, ColumnKind.Float64, value is null)).Append(value);

    /// <summary>Writes a utf8 cell (null only in a nullable column).</summary>
    public void Utf8(string column, string? value) => ((Utf8Buffer)Cell(column, ColumnKind.Utf8, value is null)).Append(value);

    /// <summary>Writes a bool cell (null only in a nullable column).</summary>
    public void Boolean(string column, bool? value) => ((BooleanBuffer)Cell(column, ColumnKind.Boolean, value is null)).Append(value);

    /// <summary>Writes a list&lt;float64&gt; cell; an empty list is a value, null is allowed only in a nullable column.</summary>
    public void Float64List(string column, IReadOnlyList<double>? values) =>
        ((Float64ListBuffer)Cell(column, ColumnKind.Float64List, values is null)).Append(values);

    /// <summary>Writes an enum as its snake_case name (see <see cref="StoreEnums"/>).</summary>
    public void Enum<TEnum>(string column, TEnum value) where TEnum : struct, System.Enum => Utf8(column, StoreEnums.Format(value));

    /// <summary>Writes an enum that may be null (only in a nullable column) as its snake_case name.</summary>
    public void Enum<TEnum>(string column, TEnum? value) where TEnum : struct, System.Enum =>
        Utf8(column, value is { } v ? StoreEnums.Format(v) : null);

    /// <summary>
    /// Writes an extra float64 column of the table's family (see <see cref="ExtraColumns"/>): the column is the prefix
    /// plus <paramref name="name"/> in snake_case. Rows that do not write it hold null.
    /// </summary>
    public void Extra(string name, double? value)
    {
        var family = _schema.Extra ?? throw new InvalidOperationException($"table {_schema.Name} has no extra columns (tried '{name}')");
        if (family.Kind != ColumnKind.Float64) throw new InvalidOperationException($"table {_schema.Name}: extra columns are {family.Kind.TypeName()}, not float64");
        RequireRow();
        string column = family.ColumnFor(name);
        if (!SnakeCase.IsValid(column)) throw new ArgumentException($"table {_schema.Name}: '{name}' does not give a valid column name ({column})", nameof(name));
        if (!_extraThisRow.TryAdd(column, name))
            throw new ArgumentException($"table {_schema.Name}, row {_rows}: '{name}' and '{_extraThisRow[column]}' both become column {column}", nameof(name));
        if (!_extra.TryGetValue(column, out var buffer))
        {
            _extra[column] = buffer = ColumnBuffer.Create(ColumnKind.Float64);
            for (int i = 0; i < _rows; i++) buffer.AppendNull();
        }
        ((Float64Buffer)buffer).Append(value);
    }

    internal void BeginRow()
    {
        if (_inRow) throw new InvalidOperationException($"table {_schema.Name}: row {_rows} was not finished");
        System.Array.Clear(_written);
        _extraThisRow.Clear();
        _inRow = true;
    }

    internal void EndRow()
    {
        RequireRow();
        int missing = System.Array.IndexOf(_written, false);
        if (missing >= 0)
            throw new InvalidOperationException($"table {_schema.Name}, row {_rows}: column '{_schema.Columns[missing].Name}' was not written");
        _rows++;
        foreach (var (column, buffer) in _extra)
            if (buffer.Count < _rows) buffer.AppendNull();
        _inRow = false;
    }

    /// <summary>The rows as one record batch: fixed columns in schema order, then extra columns sorted by name.</summary>
    internal RecordBatch Build()
    {
        if (_inRow) throw new InvalidOperationException($"table {_schema.Name}: row {_rows} was not finished");
        var columns = _schema.Columns.Concat(_extra.Keys.Select(k => _schema.Resolve(k)!)).ToList();
        var arrays = _fixed.Concat(_extra.Values).Select(b => b.Build()).ToList();
        return new RecordBatch(ArrowTableFile.ArrowSchema(_schema, columns, null), arrays, _rows);
    }

    private ColumnBuffer Cell(string column, ColumnKind kind, bool isNull)
    {
        RequireRow();
        if (!_index.TryGetValue(column, out int i))
            throw new ArgumentException($"table {_schema.Name} has no column '{column}'", nameof(column));
        var spec = _schema.Columns[i];
        if (spec.Kind != kind)
            throw new ArgumentException($"table {_schema.Name}: column '{column}' is {spec.Kind.TypeName()}, not {kind.TypeName()}", nameof(column));
        if (isNull && !spec.Nullable)
            throw new ArgumentException($"table {_schema.Name}, row {_rows}: column '{column}' is not nullable, got null", nameof(column));
        if (_written[i]) throw new InvalidOperationException($"table {_schema.Name}, row {_rows}: column '{column}' written twice");
        _written[i] = true;
        return _fixed[i];
    }

    private void RequireRow()
    {
        if (!_inRow) throw new InvalidOperationException($"table {_schema.Name}: cells written outside a row");
    }
}
