namespace DevInterp.Storage;

/// <summary>
/// The definition of one stored table: its name, columns (in file order), the key that identifies a row, and what a
/// part file holds. Writers, readers, the consolidator and docs/analysis-store.md all follow this one definition.
/// </summary>
public sealed record TableSchema
{
    /// <summary>Creates a schema; throws when a name is not snake_case, a column repeats or a key column is unusable.</summary>
    /// <param name="name">Table name (snake_case); the file is <c>NAME.arrow</c>.</param>
    /// <param name="description">What one row is.</param>
    /// <param name="partUnit">What one part file holds (e.g. "one checkpoint").</param>
    /// <param name="columns">Fixed columns, in file order.</param>
    /// <param name="key">Columns that identify a row; rows are sorted by them. Non-nullable scalars.</param>
    /// <param name="extra">Optional family of extra columns (see <see cref="ExtraColumns"/>).</param>
    public TableSchema(string name, string description, string partUnit, IReadOnlyList<ColumnSpec> columns,
        IReadOnlyList<string> key, ExtraColumns? extra = null)
    {
        if (!SnakeCase.IsValid(name)) throw new ArgumentException($"table name '{name}' is not snake_case", nameof(name));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            if (!SnakeCase.IsValid(c.Name)) throw new ArgumentException($"table {name}: column name '{c.Name}' is not snake_case", nameof(columns));
            if (!seen.Add(c.Name)) throw new ArgumentException($"table {name}: column '{c.Name}' defined twice", nameof(columns));
            if (extra is not null && extra.Matches(c.Name))
                throw new ArgumentException($"table {name}: column '{c.Name}' clashes with the extra columns '{extra.Prefix}*'", nameof(columns));
        }
        if (key.Count == 0) throw new ArgumentException($"table {name}: needs at least one key column", nameof(key));
        foreach (var k in key)
        {
            var c = columns.FirstOrDefault(c => c.Name == k)
                ?? throw new ArgumentException($"table {name}: key column '{k}' is not a column", nameof(key));
            if (c.Nullable || c.Kind == ColumnKind.Float64List)
                throw new ArgumentException($"table {name}: key column '{k}' must be a non-nullable scalar", nameof(key));
        }
        if (extra is not null && (!extra.Prefix.EndsWith('_') || !SnakeCase.IsValid(extra.Prefix.TrimEnd('_'))))
            throw new ArgumentException($"table {name}: extra column prefix '{extra.Prefix}' must be snake_case ending in '_'", nameof(extra));

        Name = name;
        Description = description;
        PartUnit = partUnit;
        Columns = columns.ToArray();
        Key = key.ToArray();
        Extra = extra;
    }

    /// <summary>Table name; the consolidated file is <c>NAME.arrow</c>, the parts live in <c>parts/NAME/</c>.</summary>
    public string Name { get; }

    /// <summary>What one row is.</summary>
    public string Description { get; }

    /// <summary>What one part file holds.</summary>
    public string PartUnit { get; }

    /// <summary>The fixed columns, in file order.</summary>
    public IReadOnlyList<ColumnSpec> Columns { get; }

    /// <summary>The key columns: unique per row; rows are sorted by them.</summary>
    public IReadOnlyList<string> Key { get; }

    /// <summary>The family of extra columns, or null when the table has only fixed columns.</summary>
    public ExtraColumns? Extra { get; }

    /// <summary>The fixed column named <paramref name="name"/>, or null.</summary>
    public ColumnSpec? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>
    /// The spec of any column this table may hold: a fixed column, or an extra column (nullable, of the family's kind);
    /// null otherwise.
    /// </summary>
    public ColumnSpec? Resolve(string name) =>
        Find(name) ?? (Extra is not null && Extra.Matches(name) && SnakeCase.IsValid(name)
            ? new ColumnSpec(name, Extra.Kind, true, Extra.Description)
            : null);
}
