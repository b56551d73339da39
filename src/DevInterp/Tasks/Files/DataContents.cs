namespace DevInterp.Tasks.Files;

/// <summary>
/// What one opened data file offers: named arrays ("fields"), read on demand. In a table (CSV, text, Arrow, a pickled
/// list of rows) the fields are its columns, in order, so they can also be chosen by index.
/// </summary>
internal sealed class DataContents : IDisposable
{
    private readonly Func<string, NumericArray> _read;
    private readonly Dictionary<string, NumericArray> _cache = new(StringComparer.Ordinal);
    private readonly IDisposable? _owner;

    public DataContents(string path, IReadOnlyList<string> names, Func<string, NumericArray> read, bool isTable, IDisposable? owner = null)
    {
        Path = path;
        Names = names;
        _read = read;
        IsTable = isTable;
        _owner = owner;
    }

    /// <summary>A table whose columns are already read.</summary>
    public static DataContents Table(string path, IReadOnlyList<NumericArray> columns, IReadOnlyDictionary<string, string>? unreadable = null)
    {
        var byName = new Dictionary<string, NumericArray>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            if (!byName.TryAdd(c.Name, c)) throw new DataFileException(path, $"two columns are named '{c.Name}'");
        }
        return new DataContents(path, [.. columns.Select(c => c.Name)], name => byName[name], isTable: true)
        {
            Unreadable = unreadable ?? new Dictionary<string, string>(),
        };
    }

    /// <summary>Named arrays already read.</summary>
    public static DataContents Arrays(string path, IReadOnlyList<NumericArray> arrays)
    {
        var byName = arrays.ToDictionary(a => a.Name, StringComparer.Ordinal);
        return new DataContents(path, [.. arrays.Select(a => a.Name)], name => byName[name], isTable: false);
    }

    public string Path { get; }

    public IReadOnlyList<string> Names { get; }

    public bool IsTable { get; }

    /// <summary>The fields are the pair (inputs, targets) of a pickled tuple or list of samples, named "0" and "1".</summary>
    public bool IsPair => !IsTable && Names.Count == 2 && Names[0] == "0" && Names[1] == "1";

    /// <summary>What the fields are called in messages.</summary>
    public string FieldKind => IsTable ? "column" : "array";

    public bool Has(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Fields left out because they cannot be read as numbers, with the reason (e.g. a string column).</summary>
    public IReadOnlyDictionary<string, string> Unreadable { get; init; } = new Dictionary<string, string>();

    public NumericArray Field(string name)
    {
        if (_cache.TryGetValue(name, out var cached)) return cached;
        var array = _read(name);
        _cache[name] = array;
        return array;
    }

    /// <summary>The fields for messages: "x [100, 3], y [100]" (names only for large tables).</summary>
    public string Describe()
    {
        var shown = Names.Take(12).Select(n => $"'{n}'");
        return string.Join(", ", shown) + (Names.Count > 12 ? $", ... ({Names.Count} in all)" : "");
    }

    public void Dispose() => _owner?.Dispose();
}
