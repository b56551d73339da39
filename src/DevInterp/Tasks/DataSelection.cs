using System.Globalization;

namespace DevInterp.Tasks;

/// <summary>
/// A column or array of a data file: by name (an array of an .npz/.safetensors/.pt file, a column of a CSV header or
/// an Arrow table) or by 0-based index (a column of a table or of the file's single 2-D array; negative counts from the
/// end, −1 = last).
/// </summary>
/// <param name="Name">The name, or null when chosen by index.</param>
/// <param name="Index">The index, or null when chosen by name.</param>
public sealed record DataColumn(string? Name, int? Index)
{
    /// <summary>A column or array by name.</summary>
    public static DataColumn Named(string name) => new(name ?? throw new ArgumentNullException(nameof(name)), null);

    /// <summary>A column by index (negative from the end).</summary>
    public static DataColumn At(int index) => new(null, index);

    /// <inheritdoc />
    public override string ToString() => Name is not null ? $"'{Name}'" : $"column {Index?.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// Where the inputs or the targets of a split come from: columns or arrays of the split's own file, or of a file of
/// their own (<see cref="File"/>, e.g. <c>x_train.npy</c> and <c>y_train.npy</c>). Several columns are concatenated
/// along the feature axis; one array keeps its shape.
/// </summary>
/// <param name="File">A file of their own, or null for the split's file.</param>
/// <param name="Columns">The columns or arrays, or null for the defaults (docs/tasks.md).</param>
public sealed record DataSelection(DataFileRef? File = null, IReadOnlyList<DataColumn>? Columns = null);

/// <summary>One split (train, test, or all data to be split) of a <c>file</c> task.</summary>
/// <param name="File">The file holding the split, or null when <see cref="Inputs"/> and <see cref="Targets"/> each name their own.</param>
/// <param name="Inputs">Which columns or arrays are the inputs (null: defaults).</param>
/// <param name="Targets">Which columns or arrays are the targets (null: defaults).</param>
/// <param name="Rows">An index file choosing the rows of the split (0-based row numbers, in the order to use), or null for all rows.</param>
public sealed record DataSource(DataFileRef? File, DataSelection? Inputs = null, DataSelection? Targets = null, DataSelection? Rows = null);
