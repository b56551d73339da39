using System.Text.Json.Nodes;
using DevInterp.Storage;

namespace DevInterp.Tests.Cluster;

/// <summary>
/// Every consolidated table of an analysis folder, cell by cell (<see cref="AnalysisStoreDump"/>), without the one
/// column that measures wall-clock time (<c>llc.elapsed_seconds</c>) and the <c>llc_setting</c> record of the split: what two analyses of one run with one config
/// must agree on exactly, however the work was split.
/// </summary>
internal static class TableImage
{
    private static readonly HashSet<(string Table, string Column)> WallClock = [("llc", "elapsed_seconds")];

    /// <summary>The tables of <paramref name="folder"/>: name → column name → values as JSON text.</summary>
    public static SortedDictionary<string, (long Rows, SortedDictionary<string, string> Columns)> Of(string folder)
    {
        var dump = JsonNode.Parse(AnalysisStoreDump.ToJson(AnalysisStore.Open(folder)))!["tables"]!.AsObject();
        var tables = new SortedDictionary<string, (long, SortedDictionary<string, string>)>(StringComparer.Ordinal);
        foreach (var (name, table) in dump)
        {
            // llc_setting records how the work was split (one row per shard, the search's wall time); the setting itself
            // is in every llc row (step_size, localization, draws), which are compared.
            if (name == LlcSettingRow.Schema.Name) continue;
            var columns = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var column in table!["columns"]!.AsArray())
            {
                string col = column!["name"]!.GetValue<string>();
                if (!WallClock.Contains((name, col))) columns[col] = column["values"]!.ToJsonString();
            }
            tables[name] = (table["rows"]!.GetValue<long>(), columns);
        }
        return tables;
    }

    /// <summary>The first difference between two folders' tables in words, or null when every table is equal.</summary>
    public static string? Difference(string expectedFolder, string actualFolder)
    {
        var a = Of(expectedFolder);
        var b = Of(actualFolder);
        if (!a.Keys.SequenceEqual(b.Keys)) return $"tables differ: [{string.Join(", ", a.Keys)}] vs [{string.Join(", ", b.Keys)}]";
        foreach (var (name, (rows, columns)) in a)
        {
            var other = b[name];
            if (rows != other.Rows) return $"{name}: {rows} rows vs {other.Rows}";
            if (!columns.Keys.SequenceEqual(other.Columns.Keys)) return $"{name}: columns [{string.Join(", ", columns.Keys)}] vs [{string.Join(", ", other.Columns.Keys)}]";
            foreach (var (column, values) in columns)
                if (values != other.Columns[column]) return $"{name}.{column} differs: {Clip(values)} vs {Clip(other.Columns[column])}";
        }
        return null;
    }

    /// <summary>Table names with row counts, for the test log.</summary>
    public static string Summary(string folder) => string.Join(", ", Of(folder).Select(t => $"{t.Key} {t.Value.Rows}"));

    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
