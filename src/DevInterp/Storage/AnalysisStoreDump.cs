using System.Globalization;
using System.Text.Json;

namespace DevInterp.Storage;

/// <summary>
/// A JSON image of the consolidated tables of an analysis folder, cell by cell, for checking the Arrow files with
/// another Arrow implementation (.ci/arrow-check) and for <c>--json</c> output. Format (docs/analysis-store.md):
/// <c>{"format":"devinterp-analysis-dump","version":1,"tables":{NAME:{"rows":N,"columns":[{"name","type","nullable","values"}]}}}</c>;
/// int64 values are decimal strings (exact beyond 2^53), float64 values are numbers that round-trip exactly or the
/// strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>; nulls are null; lists are arrays.
/// </summary>
public static class AnalysisStoreDump
{
    /// <summary>Value of the <c>format</c> field.</summary>
    public const string Format = "devinterp-analysis-dump";

    /// <summary>The dump of every built-in table that has a consolidated file in <paramref name="store"/>'s folder, as JSON text.</summary>
    public static string ToJson(AnalysisStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", 1);
            json.WriteStartObject("tables");
            foreach (var table in AnalysisTables.All)
            {
                string path = store.TablePath(table.Name);
                if (File.Exists(path)) WriteTable(json, table, ArrowTableFile.Read(path, table));
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(AnalysisStore store, string path) => AtomicFile.WriteAllText(path, ToJson(store));

    private static void WriteTable(Utf8JsonWriter json, TableSchema table, LoadedTable loaded)
    {
        json.WriteStartObject(table.Name);
        json.WriteNumber("rows", loaded.Batches.Sum(b => b.Length));
        json.WriteStartArray("columns");
        var fields = loaded.Batches.Count > 0 ? loaded.Batches[0].Schema.FieldsList : [];
        for (int c = 0; c < fields.Count; c++)
        {
            var spec = table.Resolve(fields[c].Name)!;
            json.WriteStartObject();
            json.WriteString("name", spec.Name);
            json.WriteString("type", spec.Kind.TypeName());
            json.WriteBoolean("nullable", spec.Nullable);
            json.WriteStartArray("values");
            foreach (var batch in loaded.Batches)
                for (int r = 0; r < batch.Length; r++) WriteValue(json, ArrowCells.Value(batch.Column(c), spec.Kind, r));
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case long l: json.WriteStringValue(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: WriteDouble(json, d); break;
            case string s: json.WriteStringValue(s); break;
            case bool b: json.WriteBooleanValue(b); break;
            case double[] list:
                json.WriteStartArray();
                foreach (double d in list) WriteDouble(json, d);
                json.WriteEndArray();
                break;
            default: throw new InvalidOperationException($"unexpected cell type {value.GetType().Name}");
        }
    }

    private static void WriteDouble(Utf8JsonWriter json, double d)
    {
        if (double.IsNaN(d)) json.WriteStringValue("NaN");
        else if (double.IsPositiveInfinity(d)) json.WriteStringValue("Infinity");
        else if (double.IsNegativeInfinity(d)) json.WriteStringValue("-Infinity");
        else json.WriteNumberValue(d);
    }
}
