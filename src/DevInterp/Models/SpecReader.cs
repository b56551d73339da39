using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DevInterp.Models;

/// <summary>
/// Reads the fields of one JSON spec object with errors that name the field. Unknown fields are rejected (a typo such
/// as <c>widht</c> would otherwise silently fall back to a default).
/// </summary>
internal sealed class SpecReader
{
    private readonly JsonObject _json;
    private readonly string _spec;
    private readonly string _prefix;
    private readonly HashSet<string> _known = [];

    public SpecReader(JsonObject json, string spec, string prefix = "")
    {
        _json = json;
        _spec = spec;
        _prefix = prefix;
    }

    public SpecFormatException Error(string field, string reason) => new(_spec, _prefix + field, reason);

    /// <summary>Fails on any field that no accessor asked for.</summary>
    public void RejectUnknown()
    {
        foreach (var (name, _) in _json)
        {
            if (!_known.Contains(name))
                throw Error(name, $"unknown field (known fields: {string.Join(", ", _known.Order(StringComparer.Ordinal))})");
        }
    }

    public bool Has(string field)
    {
        _known.Add(field);
        return _json.TryGetPropertyValue(field, out var node) && node is not null;
    }

    private JsonNode? Get(string field)
    {
        _known.Add(field);
        return _json.TryGetPropertyValue(field, out var node) ? node : null;
    }

    public string RequireString(string field, params string[] allowed) =>
        OptionalString(field, null, allowed) ?? throw Error(field, "required" + Choices(allowed));

    public string? OptionalString(string field, string? fallback, params string[] allowed)
    {
        var node = Get(field);
        if (node is null) return fallback;
        if (node.GetValueKind() != JsonValueKind.String) throw Error(field, $"expected a string{Choices(allowed)}, got {Show(node)}");
        string value = node.GetValue<string>();
        if (allowed.Length > 0 && !allowed.Contains(value)) throw Error(field, $"'{value}' is not one of {string.Join(", ", allowed)}");
        return value;
    }

    public long RequireInt(string field, long min = long.MinValue, long max = long.MaxValue) =>
        OptionalInt(field, null, min, max) ?? throw Error(field, "required (an integer)");

    public long? OptionalInt(string field, long? fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var node = Get(field);
        if (node is null) return fallback;
        long value = ToInt(field, node);
        CheckRange(field, value, min, max);
        return value;
    }

    public double RequireDouble(string field, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false) =>
        OptionalDouble(field, null, min, max, exclusiveMin) ?? throw Error(field, "required (a number)");

    public double? OptionalDouble(string field, double? fallback, double min = double.NegativeInfinity,
        double max = double.PositiveInfinity, bool exclusiveMin = false)
    {
        var node = Get(field);
        if (node is null) return fallback;
        double value = ToDouble(field, node);
        CheckRange(field, value, min, max, exclusiveMin);
        return value;
    }

    public bool OptionalBool(string field, bool fallback)
    {
        var node = Get(field);
        if (node is null) return fallback;
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, $"expected true or false, got {Show(node)}"),
        };
    }

    public IReadOnlyList<long> RequireIntArray(string field, int minCount, long minValue) =>
        OptionalIntArray(field, minCount, minValue) ?? throw Error(field, $"required (an array of at least {minCount} integers)");

    public IReadOnlyList<long>? OptionalIntArray(string field, int minCount, long minValue)
    {
        var node = Get(field);
        if (node is null) return null;
        if (node is not JsonArray array) throw Error(field, $"expected an array of integers, got {Show(node)}");
        if (array.Count < minCount) throw Error(field, $"expected at least {minCount} entries, got {array.Count}");
        var result = new long[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            string item = $"{field}[{i}]";
            if (array[i] is not { } element) throw Error(item, "expected an integer, got null");
            result[i] = ToInt(item, element);
            CheckRange(item, result[i], minValue, long.MaxValue);
        }
        return result;
    }

    public IReadOnlyList<double>? OptionalDoubleArray(string field, int minCount, double minValue, bool exclusiveMin)
    {
        var node = Get(field);
        if (node is null) return null;
        if (node is not JsonArray array) throw Error(field, $"expected an array of numbers, got {Show(node)}");
        if (array.Count < minCount) throw Error(field, $"expected at least {minCount} entries, got {array.Count}");
        var result = new double[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            string item = $"{field}[{i}]";
            if (array[i] is not { } element) throw Error(item, "expected a number, got null");
            result[i] = ToDouble(item, element);
            CheckRange(item, result[i], minValue, double.PositiveInfinity, exclusiveMin);
        }
        return result;
    }

    public JsonObject? OptionalObject(string field)
    {
        var node = Get(field);
        if (node is null) return null;
        return node as JsonObject ?? throw Error(field, $"expected an object, got {Show(node)}");
    }

    private long ToInt(string field, JsonNode node)
    {
        if (node.GetValueKind() != JsonValueKind.Number) throw Error(field, $"expected an integer, got {Show(node)}");
        // Via the JSON text: nodes built in code hold int/long/double CLR values that GetValue<T> will not convert.
        string text = node.ToJsonString();
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l)) return l;
        double d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        throw Error(field, $"expected an integer, got {Show(node)}");
    }

    private double ToDouble(string field, JsonNode node)
    {
        if (node.GetValueKind() != JsonValueKind.Number) throw Error(field, $"expected a number, got {Show(node)}");
        double d = double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(d)) throw Error(field, $"expected a finite number, got {Show(node)}");
        return d;
    }

    private void CheckRange(string field, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            string range = max == long.MaxValue ? $">= {min}" : $"between {min} and {max}";
            throw Error(field, $"expected an integer {range}, got {value}");
        }
    }

    private void CheckRange(string field, double value, double min, double max, bool exclusiveMin)
    {
        bool below = exclusiveMin ? value <= min : value < min;
        if (below || value > max)
        {
            string lower = (exclusiveMin ? "> " : ">= ") + min.ToString(CultureInfo.InvariantCulture);
            string range = double.IsPositiveInfinity(max) ? lower : $"{lower} and <= {max.ToString(CultureInfo.InvariantCulture)}";
            throw Error(field, $"expected a number {range}, got {value.ToString("R", CultureInfo.InvariantCulture)}");
        }
    }

    private static string Choices(string[] allowed) => allowed.Length == 0 ? "" : $" (one of {string.Join(", ", allowed)})";

    private static string Show(JsonNode node)
    {
        string text = node.ToJsonString();
        return text.Length > 40 ? text[..40] + "..." : text;
    }

    /// <summary>Parses JSON text into an object, or fails naming the spec kind.</summary>
    public static JsonObject ParseObject(string text, string spec)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SpecFormatException(spec, "$", $"not valid JSON: {e.Message}", e);
        }
        return node as JsonObject ?? throw new SpecFormatException(spec, "$", "expected a JSON object");
    }

    /// <summary>Reads a spec file, wrapping errors with the file name.</summary>
    public static T FromFile<T>(string path, string spec, Func<JsonObject, T> parse)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpecFormatException(spec, "$", $"cannot read {path}: {e.Message}", e).WithSource(path);
        }
        try
        {
            return parse(ParseObject(text, spec));
        }
        catch (SpecFormatException e)
        {
            throw e.WithSource(path);
        }
    }
}
