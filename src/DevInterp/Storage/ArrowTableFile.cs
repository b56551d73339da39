using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace DevInterp.Storage;

/// <summary>A stored table read from one Arrow file, checked against its schema.</summary>
/// <param name="Source">The file.</param>
/// <param name="Batches">Its record batches.</param>
/// <param name="Metadata">The file schema's key/value metadata.</param>
internal sealed record LoadedTable(string Source, IReadOnlyList<RecordBatch> Batches, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Reads and writes one table as an Arrow IPC <em>file</em> (the random-access format with footer that pandas'
/// <c>read_feather</c>, polars' <c>read_ipc</c> and <c>pyarrow.ipc.open_file</c> open), uncompressed, no dictionaries.
/// </summary>
internal static class ArrowTableFile
{
    public const string TableKey = "devinterp.table";
    public const string VersionKey = "devinterp.schema_version";
    public const string SchemaVersion = "1";

    public static Schema ArrowSchema(TableSchema table, IEnumerable<ColumnSpec> columns, IReadOnlyDictionary<string, string>? metadata)
    {
        var meta = new List<KeyValuePair<string, string>> { new(TableKey, table.Name), new(VersionKey, SchemaVersion) };
        if (metadata is not null) meta.AddRange(metadata.Where(p => p.Key != TableKey && p.Key != VersionKey));
        return new Schema(columns.Select(c => new Field(c.Name, ColumnBuffer.ArrowType(c.Kind), c.Nullable)), meta);
    }

    /// <summary>Atomically writes <paramref name="batch"/> (columns as the schema defines) to <paramref name="path"/>.</summary>
    public static void Write(string path, TableSchema table, RecordBatch batch, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var columns = batch.Schema.FieldsList.Select(f => table.Resolve(f.Name)
            ?? throw new InvalidOperationException($"table {table.Name}: column '{f.Name}' is not in the schema"));
        var schema = ArrowSchema(table, columns, metadata);
        var withMeta = new RecordBatch(schema, batch.Arrays, batch.Length);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new ArrowFileWriter(stream, schema, leaveOpen: true);
            writer.WriteStart();
            writer.WriteRecordBatch(withMeta);
            writer.WriteEnd();
        });
    }

    /// <summary>The schema metadata of <paramref name="path"/>, reading only the schema (not the record batches).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new ArrowFileReader(stream);
            return reader.Schema.Metadata ?? new Dictionary<string, string>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new AnalysisStoreException($"{path}: not a complete Arrow IPC file ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>Reads <paramref name="path"/> and checks its columns, types and nulls against <paramref name="table"/>.</summary>
    public static LoadedTable Read(string path, TableSchema table)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AnalysisStoreException($"{path}: cannot read table {table.Name}: {e.Message}", e);
        }

        Schema schema;
        var batches = new List<RecordBatch>();
        try
        {
            using var reader = new ArrowFileReader(new MemoryStream(bytes, writable: false));
            schema = reader.Schema;
            while (reader.ReadNextRecordBatch() is { } batch) batches.Add(batch);
        }
        catch (Exception e) when (e is not AnalysisStoreException and not OutOfMemoryException)
        {
            throw new AnalysisStoreException($"{path}: not a complete Arrow IPC file ({e.GetType().Name}: {e.Message})", e);
        }

        var metadata = schema.Metadata ?? new Dictionary<string, string>();
        if (metadata.TryGetValue(TableKey, out string? name) && name != table.Name)
            throw new AnalysisStoreException($"{path}: holds table '{name}', expected '{table.Name}'");

        var present = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < schema.FieldsList.Count; i++)
        {
            var field = schema.FieldsList[i];
            var spec = table.Resolve(field.Name)
                ?? throw new AnalysisStoreException($"{path}: table {table.Name} has unexpected column '{field.Name}'");
            if (!present.Add(field.Name)) throw new AnalysisStoreException($"{path}: table {table.Name} has column '{field.Name}' twice");
            if (!ArrowCells.HasKind(field.DataType, spec.Kind))
                throw new AnalysisStoreException($"{path}: table {table.Name}, column '{field.Name}' is {field.DataType.Name}, expected {spec.Kind.TypeName()}");
            if (!spec.Nullable && batches.Any(b => b.Column(i).NullCount > 0))
                throw new AnalysisStoreException($"{path}: table {table.Name}, column '{field.Name}' holds nulls but is not nullable");
        }
        var missing = table.Columns.FirstOrDefault(c => !present.Contains(c.Name) && !c.AddedLater);
        if (missing is not null) throw new AnalysisStoreException($"{path}: table {table.Name} lacks column '{missing.Name}'");
        var added = table.Columns.Where(c => !present.Contains(c.Name)).ToList();
        if (added.Count > 0) batches = batches.Select(b => WithDefaultColumns(b, added)).ToList();
        return new LoadedTable(path, batches, metadata);
    }

    // A file written before a column was added (ColumnSpec.AddedLater) gets that column as NaN (float64) or "" (utf8),
    // so that readers and merges see every table in its current shape.
    private static RecordBatch WithDefaultColumns(RecordBatch batch, IReadOnlyList<ColumnSpec> columns)
    {
        var arrays = batch.Arrays.ToList();
        var fields = batch.Schema.FieldsList.ToList();
        foreach (var c in columns)
        {
            if (c.Kind == ColumnKind.Utf8)
            {
                var text = new StringArray.Builder();
                for (int i = 0; i < batch.Length; i++) text.Append("");
                arrays.Add(text.Build());
            }
            else
            {
                var builder = new DoubleArray.Builder();
                for (int i = 0; i < batch.Length; i++) builder.Append(double.NaN);
                arrays.Add(builder.Build());
            }
            fields.Add(new Field(c.Name, ColumnBuffer.ArrowType(c.Kind), c.Nullable));
        }
        return new RecordBatch(new Schema(fields, batch.Schema.Metadata), arrays, batch.Length);
    }
}
