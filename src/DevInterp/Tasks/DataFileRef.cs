namespace DevInterp.Tasks;

/// <summary>
/// One data file of a <c>file</c> task and how to read it. Relative paths resolve against the task spec's folder
/// (<see cref="FileTaskSpec.BaseDirectory"/>).
/// </summary>
/// <param name="Path">The file, as written in the spec.</param>
/// <param name="Format">The format, or null to infer it from the extension (see <see cref="DataFormats.FromExtension"/>).</param>
/// <param name="Header">CSV and text: whether the first row names the columns; null to detect (a header is a first row with a non-number).</param>
/// <param name="Delimiter">CSV: the field delimiter (default ',' and, for .tsv files, tab).</param>
/// <param name="Key">torch.save files: a dotted path to the object holding the data (e.g. <c>data.train</c>).</param>
public sealed record DataFileRef(string Path, DataFormat? Format = null, bool? Header = null, char? Delimiter = null, string? Key = null)
{
    /// <summary>The format to read the file with (given, or inferred from the extension); null when neither tells.</summary>
    public DataFormat? EffectiveFormat => Format ?? DataFormats.FromExtension(Path);

    /// <summary>The CSV delimiter in effect.</summary>
    public char EffectiveDelimiter => Delimiter ?? (System.IO.Path.GetExtension(Path).Equals(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',');

    /// <summary>The absolute path: <see cref="Path"/> against <paramref name="baseDirectory"/> (null: the current directory).</summary>
    public string Resolve(string? baseDirectory) =>
        System.IO.Path.GetFullPath(Path, baseDirectory ?? Directory.GetCurrentDirectory());
}
