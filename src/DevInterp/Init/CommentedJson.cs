using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DevInterp.Init;

/// <summary>
/// A JSON object written with <c>//</c> comments: lines above the object, and lines above each field saying where its
/// value came from or what to check. DevInterp's spec readers skip such comments, so the file is read as it is written.
/// Values are JSON nodes (written on one line) or nested commented objects (written over several lines).
/// </summary>
public sealed class CommentedJson
{
    private readonly List<(string Key, object Value, IReadOnlyList<string> Comments)> _fields = [];

    /// <summary>Comment lines above the object.</summary>
    public List<string> Header { get; } = [];

    /// <summary>The field names, in order.</summary>
    public IEnumerable<string> Keys => _fields.Select(f => f.Key);

    /// <summary>Adds (or replaces) a field with a one-line value and its comments.</summary>
    public CommentedJson Set(string key, JsonNode? value, params string[] comments) => Put(key, (object?)value?.DeepClone() ?? JsonValue.Create((string?)null)!, comments);

    /// <summary>Adds (or replaces) a field holding a nested commented object.</summary>
    public CommentedJson Set(string key, CommentedJson value, params string[] comments) => Put(key, value, comments);

    private CommentedJson Put(string key, object value, string[] comments)
    {
        int i = _fields.FindIndex(f => f.Key == key);
        var entry = (key, value, (IReadOnlyList<string>)comments.Where(c => !string.IsNullOrEmpty(c)).ToList());
        if (i >= 0) _fields[i] = entry;
        else _fields.Add(entry);
        return this;
    }

    /// <summary>The object without comments.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (key, value, _) in _fields)
            json[key] = value is CommentedJson nested ? nested.ToJson() : ((JsonNode?)value)?.DeepClone();
        return json;
    }

    /// <summary>The text: header comments, then the object with each field's comments above it.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        foreach (string line in Header) sb.Append("// ").AppendLine(line);
        Write(sb, 0);
        sb.AppendLine();
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions OneLine = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private void Write(StringBuilder sb, int indent)
    {
        string pad = new(' ', indent + 2);
        sb.AppendLine("{");
        for (int i = 0; i < _fields.Count; i++)
        {
            var (key, value, comments) = _fields[i];
            foreach (string c in comments) sb.Append(pad).Append("// ").AppendLine(c);
            sb.Append(pad).Append(JsonSerializer.Serialize(key, OneLine)).Append(": ");
            if (value is CommentedJson nested) nested.Write(sb, indent + 2);
            else if (value is JsonArray { Count: > 1 } array && array.All(e => e is JsonObject) && Compact(array).Length > 100)
            {
                // A list of objects (name-map rules): one per line.
                sb.AppendLine("[");
                for (int j = 0; j < array.Count; j++)
                    sb.Append(pad).Append("  ").Append(Compact(array[j])).AppendLine(j < array.Count - 1 ? "," : "");
                sb.Append(pad).Append(']');
            }
            else sb.Append(Compact((JsonNode?)value));
            if (i < _fields.Count - 1) sb.Append(',');
            sb.AppendLine();
        }
        sb.Append(new string(' ', indent)).Append('}');
    }

    // One line with a space after ':' and ',' (readable and still valid JSON).
    private static string Compact(JsonNode? node)
    {
        string raw = node?.ToJsonString(OneLine) ?? "null";
        var sb = new StringBuilder(raw.Length + 16);
        bool inString = false, escaped = false;
        foreach (char c in raw)
        {
            sb.Append(c);
            if (escaped) escaped = false;
            else if (inString && c == '\\') escaped = true;
            else if (c == '"') inString = !inString;
            else if (!inString && (c == ':' || c == ',')) sb.Append(' ');
        }
        return sb.ToString();
    }
}
