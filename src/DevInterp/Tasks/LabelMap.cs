using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DevInterp.Models;

namespace DevInterp.Tasks;

/// <summary>
/// How the class labels of a <c>file</c> task are renumbered before training-loss evaluation: an explicit map
/// (<c>{"3": 0, "7": 1}</c>: every label left must be in it) or <c>"dense"</c> (the distinct labels of the training
/// split, in increasing order, become 0, 1, 2, ...; a test label the training split lacks is an error).
/// </summary>
public sealed record LabelMap
{
    private LabelMap(IReadOnlyDictionary<double, long>? explicitMap) => Explicit = explicitMap;

    /// <summary>The explicit map, or null for dense renumbering.</summary>
    public IReadOnlyDictionary<double, long>? Explicit { get; }

    /// <summary>True for dense renumbering.</summary>
    public bool IsDense => Explicit is null;

    /// <summary>Dense renumbering.</summary>
    public static LabelMap Dense { get; } = new((IReadOnlyDictionary<double, long>?)null);

    /// <summary>An explicit map from old label to new label.</summary>
    public static LabelMap Of(IReadOnlyDictionary<double, long> map) => new(map ?? throw new ArgumentNullException(nameof(map)));

    internal static LabelMap Read(JsonNode node, string field)
    {
        if (node.GetValueKind() == JsonValueKind.String && node.GetValue<string>() == "dense") return Dense;
        if (node is not JsonObject json)
            throw new SpecFormatException(TaskSpec.SpecName, field, "expected \"dense\" or an object from old label to new label, e.g. {\"3\": 0, \"7\": 1}");
        var map = new Dictionary<double, long>();
        foreach (var (key, value) in json)
        {
            if (!double.TryParse(key, NumberStyles.Float, CultureInfo.InvariantCulture, out double from) || from != Math.Floor(from))
                throw new SpecFormatException(TaskSpec.SpecName, $"{field}.{key}", "expected an integer label as the key");
            if (value is null || value.GetValueKind() != JsonValueKind.Number || !long.TryParse(value.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long to) || to < 0)
                throw new SpecFormatException(TaskSpec.SpecName, $"{field}.{key}", "expected a non-negative integer as the new label");
            map[from] = to;
        }
        if (map.Count == 0) throw new SpecFormatException(TaskSpec.SpecName, field, "the map is empty");
        return Of(map);
    }

    internal JsonNode ToJson()
    {
        if (Explicit is null) return JsonValue.Create("dense");
        var json = new JsonObject();
        foreach (var (from, to) in Explicit.OrderBy(kv => kv.Key)) json[from.ToString("R", CultureInfo.InvariantCulture)] = to;
        return json;
    }

    /// <summary>The map in effect: the explicit one, or dense over <paramref name="trainLabels"/>.</summary>
    internal IReadOnlyDictionary<double, long> Resolve(IEnumerable<double> trainLabels) =>
        Explicit ?? trainLabels.Distinct().Order().Select((label, i) => (label, (long)i)).ToDictionary(p => p.label, p => p.Item2);

    /// <inheritdoc />
    public bool Equals(LabelMap? other) =>
        other is not null && (Explicit is null ? other.Explicit is null
            : other.Explicit is not null && Explicit.Count == other.Explicit.Count && Explicit.All(kv => other.Explicit.TryGetValue(kv.Key, out long v) && v == kv.Value));

    /// <inheritdoc />
    public override int GetHashCode() => Explicit?.Count ?? -1;
}
