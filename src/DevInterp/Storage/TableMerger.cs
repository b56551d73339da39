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
    private sealed record Chunk(int Source, string File, int Offset, IArrowArray?[] Columns, int Length);

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
                chunks.Add(new Chunk(s, sources[s].Source, offset, arrays, batch.Length));
                offset += batch.Length;
            }
        }

        int[] keys = table.Key.Select(k => System.Array.FindIndex(columns, c => c.Name == k)).ToArray();
        var rows = new List<(int Chunk, int Row)>();
        for (int c = 0; c < chunks.Count; c++)
            for (int r = 0; r < chunks[c].Length; r++)
            {
                foreach (int k in keys)
                    if (columns[k].Kind == ColumnKind.Float64 && double.IsNaN(((DoubleArray)chunks[c].Columns[k]!).GetValue(r)!.Value))
                        throw new AnalysisStoreException($"{chunks[c].File}: table {table.Name}, key column '{columns[k].Name}' is NaN in row {chunks[c].Offset + r}");
                rows.Add((c, r));
            }

        int CompareKey((int Chunk, int Row) a, (int Chunk, int Row) b)
        {
            foreach (int k in keys)
            {
                int cmp = ArrowCells.CompareKeys(chunks[a.Chunk].Columns[k]!, a.Row, chunks[b.Chunk].Columns[k]!, b.Row, columns[k].Kind);
                if (cmp != 0) return cmp;
            }
            return 0;
        }
        rows.Sort((a, b) =>
        {
            int cmp = CompareKey(a, b);
            if (cmp != 0) return cmp;
            cmp = chunks[a.Chunk].Source.CompareTo(chunks[b.Chunk].Source);
            return cmp != 0 ? cmp : (chunks[a.Chunk].Offset + a.Row).CompareTo(chunks[b.Chunk].Offset + b.Row);
        });

        string KeyText((int Chunk, int Row) r) =>
            string.Join(", ", keys.Select(k => $"{columns[k].Name}={ArrowCells.Describe(chunks[r.Chunk].Columns[k], columns[k].Kind, r.Row)}"));

        var kept = new List<(int Chunk, int Row)>(rows.Count);
        var duplicates = new List<DuplicateRow>();
        int groupStart = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            if (i > 0 && CompareKey(rows[i], rows[groupStart]) == 0)
            {
                var first = rows[groupStart];
                var (a, b) = (chunks[first.Chunk], chunks[rows[i].Chunk]);
                if (a.Source == b.Source)
                    throw new AnalysisStoreException(
                        $"{a.File}: table {table.Name} has key {KeyText(first)} twice (rows {a.Offset + first.Row} and {b.Offset + rows[i].Row})");
                int differing = -1;
                for (int j = 0; j < columns.Length && differing < 0; j++)
                    if (!ArrowCells.CellsEqual(a.Columns[j], first.Row, b.Columns[j], rows[i].Row, columns[j].Kind)) differing = j;
                if (differing >= 0)
                {
                    var c = columns[differing];
                    throw new AnalysisStoreException(
                        $"table {table.Name}: key {KeyText(first)} is in both {a.File} and {b.File} with different values " +
                        $"(column '{c.Name}': {ArrowCells.Describe(a.Columns[differing], c.Kind, first.Row)} vs {ArrowCells.Describe(b.Columns[differing], c.Kind, rows[i].Row)})");
                }
                duplicates.Add(new DuplicateRow(KeyText(first), a.File, b.File));
                continue;
            }
            groupStart = i;
            kept.Add(rows[i]);
        }

        var buffers = columns.Select(c => ColumnBuffer.Create(c.Kind)).ToArray();
        foreach (var (c, r) in kept)
            for (int j = 0; j < buffers.Length; j++) buffers[j].AppendFrom(chunks[c].Columns[j], r);
        var schema = ArrowTableFile.ArrowSchema(table, columns, null);
        return new MergedTable(new RecordBatch(schema, buffers.Select(b => b.Build()), kept.Count), duplicates);
    }
}
