namespace DevInterp.Storage;

/// <summary>
/// A family of optional columns a table may carry besides its fixed ones, all named <see cref="Prefix"/> + a snake_case
/// suffix (e.g. <c>metric_train_loss</c>), nullable, of one kind. Rows without a value hold null; a consolidated
/// table carries the union of the columns its parts carry.
/// </summary>
/// <param name="Prefix">Name prefix, ending in an underscore.</param>
/// <param name="Kind">Type of every such column.</param>
/// <param name="Description">What the columns hold.</param>
public sealed record ExtraColumns(string Prefix, ColumnKind Kind, string Description)
{
    /// <summary>The column name for a free-form name: the prefix plus the name in snake_case (see <see cref="SnakeCase.From"/>).</summary>
    public string ColumnFor(string name) => Prefix + SnakeCase.From(name);

    /// <summary>True when <paramref name="column"/> belongs to this family.</summary>
    public bool Matches(string column) => column.StartsWith(Prefix, StringComparison.Ordinal) && column.Length > Prefix.Length;
}
