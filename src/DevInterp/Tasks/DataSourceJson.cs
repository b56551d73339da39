using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DevInterp.Models;

namespace DevInterp.Tasks;

/// <summary>Reads and writes the JSON of <see cref="DataSource"/>, <see cref="DataSelection"/> and <see cref="DataFileRef"/>.</summary>
internal static class DataSourceJson
{
    private const string Spec = TaskSpec.SpecName;

    /// <summary>A split: a path string, or {path, format, header, delimiter, key, inputs, targets, rows}.</summary>
    public static DataSource ReadSource(JsonNode node, string field)
    {
        if (node.GetValueKind() == JsonValueKind.String) return new DataSource(PathOnly(node, field));
        if (node is not JsonObject json)
            throw new SpecFormatException(Spec, field, $"expected a file path or an object with \"path\", \"inputs\", \"targets\", got {Show(node)}");
        var r = new SpecReader(json, Spec, field + ".");
        var file = ReadFileFields(r, field, required: false);
        var inputs = r.Has("inputs") ? ReadSelection(json["inputs"]!, field + ".inputs") : null;
        var targets = r.Has("targets") ? ReadSelection(json["targets"]!, field + ".targets") : null;
        var rows = r.Has("rows") ? ReadFileSelection(json["rows"]!, field + ".rows") : null;
        r.RejectUnknown();
        if (file is null && (inputs?.File is null || targets?.File is null))
            throw new SpecFormatException(Spec, field + ".path", "required (unless both \"inputs\" and \"targets\" name their own \"path\")");
        return new DataSource(file, inputs, targets, rows);
    }

    /// <summary>A selection: a name, an index, an array of those, or {path, format, ..., columns}.</summary>
    public static DataSelection ReadSelection(JsonNode node, string field)
    {
        if (node is JsonObject json)
        {
            var r = new SpecReader(json, Spec, field + ".");
            var file = ReadFileFields(r, field, required: true);
            var columns = r.Has("columns") ? ReadColumns(json["columns"]!, field + ".columns") : null;
            r.RejectUnknown();
            return new DataSelection(file, columns);
        }
        return new DataSelection(null, ReadColumns(node, field));
    }

    /// <summary>A file with an optional column choice: a path string, or {path, format, header, delimiter, key, columns}.</summary>
    public static DataSelection ReadFileSelection(JsonNode node, string field)
    {
        if (node.GetValueKind() == JsonValueKind.String) return new DataSelection(PathOnly(node, field));
        if (node is not JsonObject) throw new SpecFormatException(Spec, field, $"expected a file path or an object with \"path\" (and \"columns\"), got {Show(node)}");
        return ReadSelection(node, field);
    }

    /// <summary>A file given by its path alone (a JSON string), whose extension must tell the format.</summary>
    private static DataFileRef PathOnly(JsonNode node, string field)
    {
        string path = node.GetValue<string>();
        if (path.Length == 0) throw new SpecFormatException(Spec, field, "expected a file path, got an empty string");
        if (DataFormats.FromExtension(path) is null)
        {
            throw new SpecFormatException(Spec, field,
                $"the extension of '{path}' does not tell the format (known: {DataFormats.KnownExtensions}); write {{\"path\": ..., \"format\": ...}}");
        }
        return new DataFileRef(path);
    }

    /// <summary>The JSON of a file selection: the path alone when nothing else is set.</summary>
    public static JsonNode WriteFileSelection(DataSelection selection)
    {
        var file = selection.File ?? throw new ArgumentException("a file selection needs a file");
        if (selection.Columns is null && file.Format is null && file.Header is null && file.Delimiter is null && file.Key is null)
            return JsonValue.Create(file.Path);
        return Write(selection);
    }

    private static List<DataColumn> ReadColumns(JsonNode node, string field)
    {
        if (node is JsonArray array)
        {
            if (array.Count == 0) throw new SpecFormatException(Spec, field, "expected at least one column name or index");
            var list = new List<DataColumn>(array.Count);
            for (int i = 0; i < array.Count; i++)
                list.Add(ReadColumn(array[i] ?? throw new SpecFormatException(Spec, $"{field}[{i}]", "expected a column name or index, got null"), $"{field}[{i}]"));
            return list;
        }
        return [ReadColumn(node, field)];
    }

    private static DataColumn ReadColumn(JsonNode node, string field)
    {
        switch (node.GetValueKind())
        {
            case JsonValueKind.String:
                string name = node.GetValue<string>();
                if (name.Length == 0) throw new SpecFormatException(Spec, field, "expected a non-empty column name");
                return DataColumn.Named(name);
            case JsonValueKind.Number:
                if (int.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
                    return DataColumn.At(index);
                break;
        }
        throw new SpecFormatException(Spec, field, $"expected a column name (string) or index (integer, negative from the end), got {Show(node)}");
    }

    private static DataFileRef? ReadFileFields(SpecReader r, string field, bool required)
    {
        string? path = required ? r.RequireString("path") : r.OptionalString("path", null);
        string? formatName = r.OptionalString("format", null, [.. DataFormats.Names]);
        bool? header = r.Has("header") ? r.OptionalBool("header", false) : null;
        string? delimiterText = r.OptionalString("delimiter", null);
        string? key = r.OptionalString("key", null);
        if (path is null)
        {
            foreach (string option in new[] { "format", "header", "delimiter", "key" })
                if (r.Has(option)) throw r.Error(option, "needs \"path\" beside it");
            return null;
        }
        if (path.Length == 0) throw r.Error("path", "expected a file path, got an empty string");
        var format = formatName is null ? null : DataFormats.FromJsonName(formatName);
        var effective = format ?? DataFormats.FromExtension(path) ?? throw r.Error("format",
            $"required: the extension of '{path}' does not tell the format (known: {DataFormats.KnownExtensions}); one of {string.Join(", ", DataFormats.Names)}");
        char? delimiter = null;
        if (delimiterText is not null)
        {
            if (delimiterText.Length != 1 || delimiterText[0] == '"' || delimiterText[0] == '\n' || delimiterText[0] == '\r')
                throw r.Error("delimiter", $"expected one character other than a quote or a line break (\"\\t\" for tab), got \"{delimiterText}\"");
            if (effective != DataFormat.Csv) throw r.Error("delimiter", $"only applies to csv files, not {effective.JsonName()}");
            delimiter = delimiterText[0];
        }
        if (header is not null && effective is not (DataFormat.Csv or DataFormat.Text))
            throw r.Error("header", $"only applies to csv and text files, not {effective.JsonName()}");
        if (key is not null && effective != DataFormat.PyTorch)
            throw r.Error("key", $"only applies to pt (torch.save) files, not {effective.JsonName()}");
        return new DataFileRef(path, format, header, delimiter, key);
    }

    public static JsonNode Write(DataSource source)
    {
        var json = new JsonObject();
        if (source.File is not null) WriteFileFields(json, source.File);
        if (source.Inputs is not null) json["inputs"] = Write(source.Inputs);
        if (source.Targets is not null) json["targets"] = Write(source.Targets);
        if (source.Rows is not null) json["rows"] = WriteFileSelection(source.Rows);
        return json;
    }

    private static JsonNode Write(DataSelection selection)
    {
        if (selection.File is null) return WriteColumns(selection.Columns ?? throw new ArgumentException("a selection needs a file or columns"));
        var json = new JsonObject();
        WriteFileFields(json, selection.File);
        if (selection.Columns is not null) json["columns"] = WriteColumns(selection.Columns);
        return json;
    }

    private static JsonNode WriteColumns(IReadOnlyList<DataColumn> columns)
    {
        static JsonNode One(DataColumn c) => c.Name is not null ? JsonValue.Create(c.Name) : JsonValue.Create(c.Index!.Value);
        return columns.Count == 1 ? One(columns[0]) : new JsonArray([.. columns.Select(One)]);
    }

    private static void WriteFileFields(JsonObject json, DataFileRef file)
    {
        json["path"] = file.Path;
        if (file.Format is { } format) json["format"] = format.JsonName();
        if (file.Header is { } header) json["header"] = header;
        if (file.Delimiter is { } delimiter) json["delimiter"] = delimiter.ToString();
        if (file.Key is not null) json["key"] = file.Key;
    }

    private static string Show(JsonNode node)
    {
        string text = node.ToJsonString();
        return text.Length > 40 ? text[..40] + "..." : text;
    }
}
