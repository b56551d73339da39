using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DevInterp.Analysis;

/// <summary>
/// A config value of the wrong type said as a user reads it: the setting, what it must be and what was given
/// (<c>similarity.probe_count: expected an integer from -2147483648 to 2147483647, got 100000000000</c>), instead of
/// the serializer's "could not be converted to DevInterp.Analysis.SimilaritySettings. Path: $.probe_count".
/// </summary>
internal static class ConfigValueError
{
    /// <summary>The message for <paramref name="e"/>, raised reading <paramref name="section"/> as <paramref name="type"/>; null when it is not about one value.</summary>
    public static string? Describe(JsonException e, JsonNode section, Type type, JsonSerializerOptions options, string field)
    {
        // Only a top-level property of the section ("$.probe_count"): deeper paths keep the serializer's message.
        if (e.Path is not { } path || !path.StartsWith("$.", StringComparison.Ordinal) || path.IndexOfAny(['.', '['], 2) >= 0) return null;
        string name = path[2..];
        var property = options.GetTypeInfo(type).Properties.FirstOrDefault(p => p.Name == name);
        if (property is null || section is not JsonObject o || !o.TryGetPropertyValue(name, out var given)) return null;
        string shown = given?.ToJsonString() ?? "null";
        if (shown.Length > 60) shown = shown[..57] + "...";
        return $"{field}.{name}: expected {Expected(property.PropertyType)}, got {shown}";
    }

    private static string Expected(Type type)
    {
        var inner = Nullable.GetUnderlyingType(type);
        string orNull = inner is not null || !type.IsValueType ? " or null" : "";
        type = inner ?? type;
        string what = type switch
        {
            _ when type == typeof(int) => string.Create(CultureInfo.InvariantCulture, $"an integer from {int.MinValue} to {int.MaxValue}"),
            _ when type == typeof(long) => "an integer",
            _ when type == typeof(double) || type == typeof(float) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a string",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n))),
            _ when type != typeof(string) && type.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "a list",
            _ => "an object",
        };
        return what + orNull;
    }
}
