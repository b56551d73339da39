using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Apache.Arrow;
using Microsoft.Data.Analysis;

namespace DevInterp.Storage;

/// <summary>
/// An analysis folder (<c>analyses/NAME/</c>) holding result tables as Arrow IPC files (layout, schemas and guarantees
/// in docs/analysis-store.md). Results are written per unit of work as part files
/// <c>parts/TABLE/KEY[@SHARD].arrow</c>, each replaced atomically, so a killed process loses at most the unit in flight
/// and a rerun skips the units already done (<see cref="HasPart"/>). <see cref="Consolidate(string)"/> merges a
/// table's parts into <c>TABLE.arrow</c>, sorted by key, which is what other tools open. Readers take the consolidated
/// file when it is current and the parts otherwise. Several processes (or machines, with distinct shard names) may
/// write parts of the same table at once.
/// </summary>
public sealed class AnalysisStore
{
    private const string Extension = ".arrow";
    private const string FingerprintKey = "devinterp.parts_fingerprint";

    private AnalysisStore(string folder, string? shard)
    {
        Folder = folder;
        Shard = shard;
    }

    /// <summary>The analysis folder.</summary>
    public string Folder { get; }

    /// <summary>The shard name appended to this store's part files, or null.</summary>
    public string? Shard { get; }

    /// <summary>
    /// Opens the analysis folder <paramref name="folder"/> (created on the first write) and removes temporary files left
    /// there by writers that died. Give each machine (or process) writing into a shared or later-merged folder its own
    /// <paramref name="shard"/> name so that their part files never collide.
    /// </summary>
    public static AnalysisStore Open(string folder, string? shard = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (shard is not null) PartKey.Validate(shard, "shard name");
        if (shard is not null && shard.Contains('@')) throw new ArgumentException($"shard name '{shard}' must not contain '@'", nameof(shard));
        var store = new AnalysisStore(Path.GetFullPath(folder), shard);
        store.CleanTempFiles();
        return store;
    }

    /// <summary>The folder of a table's parts: <c>parts/TABLE</c>.</summary>
    public string PartsFolder(string table) => Path.Combine(Folder, "parts", AnalysisTablesName(table));

    /// <summary>The consolidated file of a table: <c>TABLE.arrow</c>.</summary>
    public string TablePath(string table) => Path.Combine(Folder, AnalysisTablesName(table) + Extension);

    /// <summary>
    /// Writes (or atomically replaces) the part <paramref name="key"/> of <typeparamref name="TRow"/>'s table with
    /// <paramref name="rows"/>, sorted by the table's key. Rows must have distinct keys. Zero rows is a valid part: the
    /// unit is done and produced nothing. Writing the same rows again gives the same file.
    /// </summary>
    public StorePart Write<TRow>(string key, IEnumerable<TRow> rows) where TRow : IStoreRow<TRow>
    {
        ArgumentNullException.ThrowIfNull(rows);
        PartKey.Validate(key);
        var table = TRow.Schema;
        var writer = new RowWriter(table);
        foreach (var row in rows)
        {
            if (row is null) throw new ArgumentException($"table {table.Name}, part {key}: row {writer.RowCount} is null", nameof(rows));
            writer.BeginRow();
            row.WriteTo(writer);
            writer.EndRow();
        }
        string path = Path.Combine(PartsFolder(table.Name), PartFileName(key, Shard));
        var merged = TableMerger.Merge(table, [new LoadedTable(path, [writer.Build()], new Dictionary<string, string>())]);
        ArrowTableFile.Write(path, table, merged.Batch);
        return new StorePart(table.Name, key, Shard, path, new FileInfo(path).Length);
    }

    /// <summary>True when a part <paramref name="key"/> of <paramref name="table"/> exists (from any shard).</summary>
    public bool HasPart(string table, string key)
    {
        PartKey.Validate(key);
        string folder = PartsFolder(table);
        if (!Directory.Exists(folder)) return false;
        return File.Exists(Path.Combine(folder, key + Extension)) || Directory.EnumerateFiles(folder, key + "@*" + Extension).Any();
    }

    /// <summary>True when a part <paramref name="key"/> of <typeparamref name="TRow"/>'s table exists (from any shard).</summary>
    public bool HasPart<TRow>(string key) where TRow : IStoreRow<TRow> => HasPart(TRow.Schema.Name, key);

    /// <summary>The finished part files of <paramref name="table"/>, by key then shard; temporary files are never listed.</summary>
    public IReadOnlyList<StorePart> Parts(string table)
    {
        string folder = PartsFolder(table);
        if (!Directory.Exists(folder)) return [];
        var parts = new List<StorePart>();
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*" + Extension))
        {
            if (file.Name.StartsWith('.')) continue; // temporary or hidden
            string stem = file.Name[..^Extension.Length];
            int at = stem.IndexOf('@');
            string key = at < 0 ? stem : stem[..at];
            string? shard = at < 0 ? null : stem[(at + 1)..];
            if (!PartKey.IsValid(key) || (shard is not null && !PartKey.IsValid(shard)))
                throw new AnalysisStoreException($"{file.FullName}: not a part file name (expected KEY.arrow or KEY@SHARD.arrow, see docs/analysis-store.md)");
            parts.Add(new StorePart(table, key, shard, file.FullName, file.Length));
        }
        return parts.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Shard ?? "", StringComparer.Ordinal).ToList();
    }

    /// <summary>The built-in tables present in the folder (as parts or consolidated).</summary>
    public IReadOnlyList<string> Tables() =>
        AnalysisTables.All.Where(t => State(t.Name) != TableState.Absent).Select(t => t.Name).ToList();

    /// <summary>Whether <paramref name="table"/> is absent, only in parts, consolidated, or consolidated but stale.</summary>
    public TableState State(string table)
    {
        var parts = Parts(table);
        string path = TablePath(table);
        if (!File.Exists(path)) return parts.Count == 0 ? TableState.Absent : TableState.PartsOnly;
        if (parts.Count == 0) return TableState.Consolidated;
        Schema(table);
        return IsCurrent(path, parts) ? TableState.Consolidated : TableState.Stale;
    }

    private static bool IsCurrent(string consolidated, IReadOnlyList<StorePart> parts) =>
        ArrowTableFile.ReadMetadata(consolidated).TryGetValue(FingerprintKey, out string? f) && f == Fingerprint(parts);

    /// <summary>
    /// Merges the parts of <paramref name="table"/> (all shards) into <c>TABLE.arrow</c>, sorted by the table's key,
    /// written atomically. A row present in two parts is kept once when identical and is an error naming both files
    /// otherwise. Without parts nothing is written. Parts are kept, so later units can still be added.
    /// </summary>
    public ConsolidationResult Consolidate(string table)
    {
        var schema = Schema(table);
        CleanTempFiles();
        var parts = Parts(table);
        string path = TablePath(table);
        if (parts.Count == 0)
            return new ConsolidationResult(table, path, 0, File.Exists(path) ? Load(schema).Batch.Length : 0, []);
        var merged = TableMerger.Merge(schema, parts.Select(p => ArrowTableFile.Read(p.Path, schema)).ToList());
        ArrowTableFile.Write(path, schema, merged.Batch, new Dictionary<string, string> { [FingerprintKey] = Fingerprint(parts) });
        return new ConsolidationResult(table, path, parts.Count, merged.Batch.Length, merged.IgnoredDuplicates);
    }

    /// <summary>Consolidates those of <paramref name="tables"/> whose parts changed since (or have no) consolidated file.</summary>
    public IReadOnlyList<ConsolidationResult> ConsolidateChanged(params string[] tables) =>
        tables.Where(t => State(t) is TableState.PartsOnly or TableState.Stale).Select(Consolidate).ToList();

    /// <summary>Consolidates every built-in table that has parts.</summary>
    public IReadOnlyList<ConsolidationResult> Consolidate() =>
        AnalysisTables.All.Where(t => Parts(t.Name).Count > 0).Select(t => Consolidate(t.Name)).ToList();

    /// <summary>Every row of <typeparamref name="TRow"/>'s table, sorted by key (from the consolidated file when current, else the parts).</summary>
    public IReadOnlyList<TRow> Read<TRow>() where TRow : IStoreRow<TRow> => Rows<TRow>(Load(TRow.Schema));

    /// <summary>The rows of the part <paramref name="key"/> of <typeparamref name="TRow"/>'s table (all shards), sorted by key; empty when absent.</summary>
    public IReadOnlyList<TRow> ReadPart<TRow>(string key) where TRow : IStoreRow<TRow>
    {
        PartKey.Validate(key);
        var schema = TRow.Schema;
        var files = Parts(schema.Name).Where(p => p.Key == key).Select(p => ArrowTableFile.Read(p.Path, schema)).ToList();
        return files.Count == 0 ? [] : Rows<TRow>(new Loaded(TableMerger.Merge(schema, files).Batch, files[0].Source));
    }

    /// <summary>
    /// <paramref name="table"/> as a Microsoft.Data.Analysis <see cref="DataFrame"/>, sorted by key: int64 columns as
    /// <see cref="Int64DataFrameColumn"/>, float64 as <see cref="DoubleDataFrameColumn"/>, utf8 as
    /// <see cref="StringDataFrameColumn"/>, bool as <see cref="BooleanDataFrameColumn"/>, list&lt;float64&gt; as
    /// <see cref="VBufferDataFrameColumn{T}"/>; nulls as nulls. An absent table gives its columns with no rows.
    /// </summary>
    public DataFrame ReadDataFrame(string table)
    {
        var schema = Schema(table);
        return DataFrameConverter.Convert(schema, Load(schema).Batch);
    }

    /// <summary><paramref name="table"/> as Arrow record batches (currently one), sorted by key, with the file's columns.</summary>
    public IReadOnlyList<RecordBatch> ReadRecordBatches(string table) => [Load(Schema(table)).Batch];

    /// <summary>Removes temporary files of dead writers from the folder and every parts folder; returns the count.</summary>
    public int CleanTempFiles()
    {
        int removed = AtomicFile.CleanStaleTempFiles(Folder);
        string parts = Path.Combine(Folder, "parts");
        if (Directory.Exists(parts))
            foreach (string dir in Directory.EnumerateDirectories(parts)) removed += AtomicFile.CleanStaleTempFiles(dir);
        return removed;
    }

    private sealed record Loaded(RecordBatch Batch, string Source);

    private Loaded Load(TableSchema schema)
    {
        var parts = Parts(schema.Name);
        string path = TablePath(schema.Name);
        if (File.Exists(path) && (parts.Count == 0 || IsCurrent(path, parts)))
            return new Loaded(TableMerger.Merge(schema, [ArrowTableFile.Read(path, schema)]).Batch, path);
        if (parts.Count == 0) return new Loaded(TableMerger.Merge(schema, []).Batch, path);
        var merged = TableMerger.Merge(schema, parts.Select(p => ArrowTableFile.Read(p.Path, schema)).ToList());
        return new Loaded(merged.Batch, PartsFolder(schema.Name));
    }

    private static IReadOnlyList<TRow> Rows<TRow>(Loaded loaded) where TRow : IStoreRow<TRow>
    {
        var reader = new RowReader(TRow.Schema, loaded.Batch, loaded.Source);
        var rows = new List<TRow>(loaded.Batch.Length);
        for (int i = 0; i < loaded.Batch.Length; i++)
        {
            reader.Row = i;
            rows.Add(TRow.ReadFrom(reader));
        }
        return rows;
    }

    private static TableSchema Schema(string table) => AnalysisTables.Get(table);

    private static string AnalysisTablesName(string table) =>
        SnakeCase.IsValid(table) ? table : throw new ArgumentException($"table name '{table}' is not snake_case", nameof(table));

    private static string PartFileName(string key, string? shard) => shard is null ? key + Extension : $"{key}@{shard}{Extension}";

    /// <summary>Names, sizes and modification times of the parts: changes whenever a part is added, removed or rewritten.</summary>
    private static string Fingerprint(IReadOnlyList<StorePart> parts)
    {
        var text = new StringBuilder();
        foreach (var p in parts)
            text.Append(Path.GetFileName(p.Path)).Append('\t').Append(p.SizeBytes.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(File.GetLastWriteTimeUtc(p.Path).Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
