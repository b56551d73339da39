using Apache.Arrow;

namespace DevInterp.Storage;

/// <summary>The rows of several files of one table as one batch, sorted by key, duplicates resolved.</summary>
/// <param name="Batch">Fixed columns in schema order, then the union of extra columns sorted by name.</param>
/// <param name="IgnoredDuplicates">Rows that appeared identically in two files (the later copy dropped).</param>
internal sealed record MergedTable(RecordBatch Batch, IReadOnlyList<DuplicateRow> IgnoredDuplicates);

/// <summary>
/// Merges files (parts, shards, or one consolidated file) of one table: aligns their columns, sorts every row by the
/// table's key and checks the key is unique. The same key in two files is dropped when the rows are identical and an
/// error naming both files otherwise; the same key twice in one file is always an error.
/// </summary>
internal static class TableMerger
{
    private sealed record Chunk(int Source, string File, int Offset, RecordBatch Batch, IArrowArray?[] Columns);

    /// <summary>One key column's values for every row, unboxed, so that sorting does not touch Arrow arrays.</summary>
    private sealed class KeyColumn(ColumnKind kind, int rows)
    {
        private readonly long[]? _longs = kind is ColumnKind.Int64 or ColumnKind.Boolean ? new long[rows] : null;
        private readonly double[]? _doubles = kind == ColumnKind.Float64 ? new double[rows] : null;
        private readonly string[]? _strings = kind == ColumnKind.Utf8 ? new string[rows] : null;

        /// <summary>Stores row <paramref name="r"/> of <paramref name="array"/> at <paramref name="at"/>; false when it is NaN.</summary>
        public bool Set(int at, IArrowArray array, int r)
        {
            switch (array)
            {
                case Int64Array a: _longs![at] = a.GetValue(r)!.Value; return true;
                case BooleanArray a: _longs![at] = a.GetValue(r)!.Value ? 1 : 0; return true;
                case DoubleArray a: return !double.IsNaN(_doubles![at] = a.GetValue(r)!.Value);
                case StringArray a: _strings![at] = a.GetString(r); return true;
                default: throw new InvalidOperationException($"{array.GetType().Name} cannot be a key");
            }
        }

        public int Compare(int i, int j) =>
            _longs is not null ? _longs[i].CompareTo(_longs[j])
            : _doubles is not null ? _doubles[i].CompareTo(_doubles[j])
            : string.CompareOrdinal(_strings![i], _strings[j]);
    }

    public static MergedTable Merge(TableSchema table, IReadOnlyList<LoadedTable> sources)
    {
        var extras = sources.SelectMany(s => s.Batches).SelectMany(b => b.Schema.FieldsList.Select(f => f.Name))
            .Where(n => table.Find(n) is null).Distinct().Order(StringComparer.Ordinal).ToList();
        var columns = table.Columns.Concat(extras.Select(e => table.Resolve(e)!)).ToArray();

        var chunks = new List<Chunk>();
        for (int s = 0; s < sources.Count; s++)
        {
            int offset = 0;
            foreach (var batch in sources[s].Batches)
            {
                var arrays = columns.Select(c => batch.Schema.GetFieldIndex(c.Name, StringComparer.Ordinal) is var i and >= 0 ? batch.Column(i) : null).ToArray();
                chunks.Add(new Chunk(s, sources[s].Source, offset, batch, arrays));
                offset += batch.Length;
            }
        }

        // Global row g is row rowOf[g] of chunk chunkOf[g]; chunks follow source order, so g orders ties by source, then row.
        int total = chunks.Sum(c => c.Batch.Length);
        var chunkOf = new int[total];
        var rowOf = new int[total];
        int[] keyIndex = table.Key.Select(k => System.Array.FindIndex(columns, c => c.Name == k)).ToArray();
        var keys = keyIndex.Select(k => new KeyColumn(columns[k].Kind, total)).ToArray();
        for (int c = 0, g = 0; c < chunks.Count; c++)
            for (int r = 0; r < chunks[c].Batch.Length; r++, g++)
            {
                chunkOf[g] = c;
                rowOf[g] = r;
                for (int k = 0; k < keys.Length; k++)
                    if (!keys[k].Set(g, chunks[c].Columns[keyIndex[k]]!, r))
                        throw new AnalysisStoreException($"{chunks[c].File}: table {table.Name}, key column '{columns[keyIndex[k]].Name}' is NaN in row {chunks[c].Offset + r}");
            }

        int CompareKey(int a, int b)
        {
            foreach (var key in keys)
            {
                int cmp = key.Compare(a, b);
                if (cmp != 0) return cmp;
            }
            return 0;
        }

        bool strictlySorted = true;
        for (int g = 1; g < total && strictlySorted; g++) strictlySorted = CompareKey(g - 1, g) < 0;

        // Fast path: one file already in canonical form (a consolidated table, or rows written in key order).
        if (strictlySorted && chunks.Count == 1 && chunks[0].Batch.Schema.FieldsList.Select(f => f.Name).SequenceEqual(columns.Select(c => c.Name)))
            return new MergedTable(chunks[0].Batch, []);

        var order = Enumerable.Range(0, total).ToArray();
        if (!strictlySorted)
            System.Array.Sort(order, (a, b) => CompareKey(a, b) is var cmp && cmp != 0 ? cmp : a.CompareTo(b));

        string KeyText(int g) => string.Join(", ", keyIndex.Select(k =>
            $"{columns[k].Name}={ArrowCells.Describe(chunks[chunkOf[g]].Columns[k], columns[k].Kind, rowOf[g])}"));

        var kept = new List<int>(total);
        var duplicates = new List<DuplicateRow>();
        int first = -1;
        foreach (int g in order)
        {
            if (first < 0 || CompareKey(first, g) != 0)
            {
                first = g;
                kept.Add(g);
                continue;
            }
            var (a, b) = (chunks[chunkOf[first]], chunks[chunkOf[g]]);
            if (a.Source == b.Source)
                throw new AnalysisStoreException(
                    $"{a.File}: table {table.Name} has key {KeyText(first)} twice (rows {a.Offset + rowOf[first]} and {b.Offset + rowOf[g]})");
            int differing = -1;
            for (int j = 0; j < columns.Length && differing < 0; j++)
                if (!ArrowCells.CellsEqual(a.Columns[j], rowOf[first], b.Columns[j], rowOf[g], columns[j].Kind)) differing = j;
            if (differing >= 0)
            {
                var c = columns[differing];
                throw new AnalysisStoreException(
                    $"table {table.Name}: key {KeyText(first)} is in both {a.File} and {b.File} with different values " +
                    $"(column '{c.Name}': {ArrowCells.Describe(a.Columns[differing], c.Kind, rowOf[first])} vs {ArrowCells.Describe(b.Columns[differing], c.Kind, rowOf[g])})");
            }
            duplicates.Add(new DuplicateRow(KeyText(first), a.File, b.File));
        }

        var buffers = columns.Select(c => ColumnBuffer.Create(c.Kind)).ToArray();
        foreach (int g in kept)
        {
            var chunk = chunks[chunkOf[g]];
            for (int j = 0; j < buffers.Length; j++) buffers[j].AppendFrom(chunk.Columns[j], rowOf[g]);
        }
        var schema = ArrowTableFile.ArrowSchema(table, columns, null);
        return new MergedTable(new RecordBatch(schema, buffers.Select(b => b.Build()), kept.Count), duplicates);
    }
}
