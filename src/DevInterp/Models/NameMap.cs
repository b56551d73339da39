using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DevInterp.Models;

/// <summary>
/// One renaming rule for checkpoint tensor names: an exact name or a regular expression, the new name (a
/// <see cref="Regex.Replace(string, string)"/> replacement such as <c>h.$1.attn.c_attn.weight</c> for regex rules), and
/// how the tensor is reshaped on load, in this order: <see cref="Permute"/> its dimensions, <see cref="Flatten"/> a run
/// of them into one, <see cref="Transpose"/> the (2-D) result (Conv1D-style [in, out] weights going into [out, in]
/// Linear layers); with <see cref="Part"/>, the result is one of several equal slices along dimension 0 of the target
/// (TransformerLens's separate W_Q, W_K, W_V going into one fused <c>c_attn.weight</c>).
/// </summary>
/// <param name="Match">The exact source name, or the pattern when <paramref name="IsRegex"/>.</param>
/// <param name="Replacement">The target name (regex rules may use $1, ${name} groups).</param>
/// <param name="IsRegex">Whether <paramref name="Match"/> is a regular expression (searched, so anchor it with ^...$).</param>
/// <param name="Transpose">Transpose the (2-D, after permute and flatten) tensor when it is loaded.</param>
public sealed record NameRule(string Match, string Replacement, bool IsRegex = false, bool Transpose = false)
{
    private Regex? _regex;

    /// <summary>A new order of the source tensor's dimensions (torch.permute), applied first; null for none.</summary>
    public IReadOnlyList<int>? Permute { get; init; }

    /// <summary>Dimensions start..end (inclusive) merged into one (torch.flatten), after <see cref="Permute"/>; null for none.</summary>
    public (int Start, int End)? Flatten { get; init; }

    /// <summary>The tensor is slice <c>Index</c> of <c>Count</c> equal slices along dimension 0 of the target; null when it is the whole target.</summary>
    public (int Index, int Count)? Part { get; init; }

    /// <summary>True when the rule changes the tensor's layout (not only its name).</summary>
    public bool ChangesLayout => Transpose || Permute is not null || Flatten is not null;

    /// <summary>An exact rename.</summary>
    public static NameRule Exact(string from, string to, bool transpose = false) => new(from, to, false, transpose);

    /// <summary>A regex rewrite.</summary>
    public static NameRule Pattern(string regex, string replacement, bool transpose = false) => new(regex, replacement, true, transpose);

    /// <summary>The new name when this rule applies to <paramref name="name"/>, else null.</summary>
    public string? Apply(string name)
    {
        if (!IsRegex) return name == Match ? Replacement : null;
        _regex ??= NameMap.Compile(Match);
        return _regex.IsMatch(name) ? _regex.Replace(name, Replacement, 1) : null;
    }

    /// <summary>The shape after permute, flatten and transpose, or the reason the source shape does not allow them.</summary>
    public (long[]? Shape, string? Problem) Reshape(IReadOnlyList<long> source)
    {
        var shape = source.ToArray();
        if (Permute is { } order)
        {
            if (order.Count != shape.Length || order.Order().Where((d, i) => d != i).Any())
                return (null, $"cannot be permuted by [{string.Join(", ", order)}]: it has {shape.Length} dimensions");
            shape = [.. order.Select(d => shape[d])];
        }
        if (Flatten is var (start, end))
        {
            if (start < 0 || end >= shape.Length || start > end)
                return (null, $"cannot flatten dimensions {start}..{end}: it has {shape.Length} dimensions");
            long merged = shape[start..(end + 1)].Aggregate(1L, (a, b) => a * b);
            shape = [.. shape[..start], merged, .. shape[(end + 1)..]];
        }
        if (Transpose)
        {
            if (shape.Length != 2) return (null, $"is to be transposed but has {shape.Length} dimensions [{string.Join(", ", shape)}]");
            shape = [shape[1], shape[0]];
        }
        return (shape, null);
    }

    /// <summary>Applies permute, flatten and transpose to a tensor (whose shape <see cref="Reshape"/> accepted).</summary>
    public TorchSharp.torch.Tensor Apply(TorchSharp.torch.Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var t = tensor;
        if (Permute is { } order) t = t.permute([.. order.Select(d => (long)d)]);
        if (Flatten is var (start, end)) t = t.flatten(start, end);
        if (Transpose) t = t.t();
        return t;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsRegex ? "regex " : "")}{Match} -> {Replacement}" +
        (Permute is { } p ? $" (permuted [{string.Join(", ", p)}])" : "") +
        (Flatten is var (a, b) ? $" (flattened {a}..{b})" : "") +
        (Transpose ? " (transposed)" : "") +
        (Part is var (i, n) ? $" (part {i} of {n})" : "");
}

/// <summary>
/// How checkpoint tensor names become module names: rules tried in order (the first that applies wins; names no rule
/// applies to are kept), plus regexes of tensors to skip. JSON form (see docs/models.md):
/// <c>{"rename": {"old": "new"}, "rules": [{"regex": "^transformer\\.(.*)$", "to": "$1", "transpose": false},
/// {"from": "old", "to": "new", "transpose": true}], "ignore": ["^h\\.\\d+\\.attn\\.bias$"]}</c>; <c>rename</c>
/// entries are tried before <c>rules</c>.
/// </summary>
/// <param name="Rules">Renaming rules in order.</param>
/// <param name="Ignore">Regular expressions; a source tensor whose name matches any is skipped (listed as ignored).</param>
public sealed record NameMap(IReadOnlyList<NameRule> Rules, IReadOnlyList<string> Ignore)
{
    private const string SpecName = "name map";
    private Regex[]? _ignore;

    /// <summary>No renaming, nothing ignored.</summary>
    public static NameMap Empty { get; } = new([], []);

    /// <summary>A map of exact renames.</summary>
    public static NameMap FromRenames(IReadOnlyDictionary<string, string> renames) =>
        new([.. renames.Select(kv => NameRule.Exact(kv.Key, kv.Value))], []);

    /// <summary>
    /// Hugging Face GPT-2 (<c>GPT2LMHeadModel</c>/<c>GPT2Model</c>) → <see cref="TransformerSpec"/>: drops the
    /// <c>transformer.</c> prefix, transposes the Conv1D weights of c_attn, attn.c_proj, c_fc and mlp.c_proj
    /// ([in, out] → [out, in]), and ignores the causal-mask buffers <c>attn.bias</c> / <c>attn.masked_bias</c> that
    /// older versions saved. A saved <c>lm_head.weight</c> loads into an untied spec; for a tied spec add it to
    /// <see cref="Ignore"/> (safetensors exports of tied models do not contain it).
    /// </summary>
    public static NameMap HuggingFaceGpt2 { get; } = new(
        [
            NameRule.Pattern(@"^(?:transformer\.)?h\.(\d+)\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$", "h.$1.$2.weight", transpose: true),
            NameRule.Pattern(@"^transformer\.(.+)$", "$1"),
        ],
        [@"^(?:transformer\.)?h\.\d+\.attn\.(?:masked_)?bias$"]);

    /// <summary>The module name and transpose flag for a checkpoint tensor name.</summary>
    public (string Target, bool Transpose) Map(string source)
    {
        var (target, rule) = Resolve(source);
        return (target, rule?.Transpose ?? false);
    }

    /// <summary>The module name for a checkpoint tensor name and the rule that gave it (null when no rule applies).</summary>
    public (string Target, NameRule? Rule) Resolve(string source)
    {
        foreach (var rule in Rules)
        {
            if (rule.Apply(source) is { } target) return (target, rule);
        }
        return (source, null);
    }

    /// <summary>Whether a checkpoint tensor is to be skipped.</summary>
    public bool IsIgnored(string source)
    {
        _ignore ??= [.. Ignore.Select(Compile)];
        return _ignore.Any(r => r.IsMatch(source));
    }

    /// <summary>This map's rules followed by <paramref name="other"/>'s, and both ignore lists.</summary>
    public NameMap Then(NameMap other) => new([.. Rules, .. other.Rules], [.. Ignore, .. other.Ignore]);

    /// <summary>Reads the JSON form.</summary>
    /// <exception cref="Models.SpecFormatException">A field is wrong or a regular expression does not compile.</exception>
    public static NameMap Parse(JsonObject json)
    {
        var r = new SpecReader(json, SpecName);
        var rules = new List<NameRule>();
        if (r.OptionalObject("rename") is { } rename)
        {
            foreach (var (from, node) in rename)
            {
                if (node is not JsonValue v || !v.TryGetValue(out string? to))
                    throw r.Error($"rename.{from}", "expected the new name as a string");
                rules.Add(NameRule.Exact(from, to));
            }
        }
        var rulesNode = json["rules"];
        r.Has("rules");
        if (rulesNode is not null)
        {
            if (rulesNode is not JsonArray array) throw r.Error("rules", "expected an array of rule objects");
            for (int i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonObject ruleJson) throw r.Error($"rules[{i}]", "expected an object with from|regex, to, transpose, permute, flatten, part");
                var rr = new SpecReader(ruleJson, SpecName, $"rules[{i}].");
                string? from = rr.OptionalString("from", null);
                string? regex = rr.OptionalString("regex", null);
                string to = rr.RequireString("to");
                bool transpose = rr.OptionalBool("transpose", false);
                var permute = rr.OptionalIntArray("permute", 1, 0);
                var flatten = rr.OptionalIntArray("flatten", 2, 0);
                var part = rr.OptionalIntArray("part", 2, 0);
                rr.RejectUnknown();
                if ((from is null) == (regex is null)) throw r.Error($"rules[{i}]", "give exactly one of 'from' (exact name) or 'regex'");
                if (regex is not null) CompileOrThrow(regex, $"rules[{i}].regex");
                if (permute is not null && permute.Order().Where((d, k) => d != k).Any())
                    throw r.Error($"rules[{i}].permute", $"expected an order of the dimensions 0..{permute.Count - 1}, got [{string.Join(", ", permute)}]");
                if (flatten is not null && (flatten.Count != 2 || flatten[0] > flatten[1]))
                    throw r.Error($"rules[{i}].flatten", "expected [start, end]: the first and last dimension to merge");
                if (part is not null && (part.Count != 2 || part[1] < 1 || part[0] >= part[1]))
                    throw r.Error($"rules[{i}].part", "expected [index, count]: slice index (from 0) of count equal slices along dimension 0 of the target");
                var rule = regex is null ? NameRule.Exact(from!, to, transpose) : NameRule.Pattern(regex, to, transpose);
                rules.Add(rule with
                {
                    Permute = permute?.Select(d => (int)d).ToArray(),
                    Flatten = flatten is null ? null : ((int)flatten[0], (int)flatten[1]),
                    Part = part is null ? null : ((int)part[0], (int)part[1]),
                });
            }
        }
        var ignore = new List<string>();
        var ignoreNode = json["ignore"];
        r.Has("ignore");
        if (ignoreNode is not null)
        {
            if (ignoreNode is not JsonArray array) throw r.Error("ignore", "expected an array of regular expressions");
            for (int i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonValue v || !v.TryGetValue(out string? pattern)) throw r.Error($"ignore[{i}]", "expected a string");
                CompileOrThrow(pattern, $"ignore[{i}]");
                ignore.Add(pattern);
            }
        }
        r.RejectUnknown();
        return new NameMap(rules, ignore);
    }

    /// <summary>Reads the JSON form from a file; errors name the file and the field.</summary>
    public static NameMap FromJsonFile(string path) => SpecReader.FromFile(path, SpecName, Parse);

    /// <summary>The JSON form (all rules under <c>rules</c>).</summary>
    public JsonObject ToJson()
    {
        var rules = new JsonArray();
        foreach (var rule in Rules)
        {
            var o = new JsonObject { [rule.IsRegex ? "regex" : "from"] = rule.Match, ["to"] = rule.Replacement };
            if (rule.Transpose) o["transpose"] = true;
            if (rule.Permute is { } permute) o["permute"] = new JsonArray([.. permute.Select(d => (JsonNode)d)]);
            if (rule.Flatten is var (start, end)) o["flatten"] = new JsonArray(start, end);
            if (rule.Part is var (index, count)) o["part"] = new JsonArray(index, count);
            rules.Add(o);
        }
        return new JsonObject { ["rules"] = rules, ["ignore"] = new JsonArray([.. Ignore.Select(p => (JsonNode)p)]) };
    }

    // A timeout keeps a pathological pattern from hanging a load.
    internal static Regex Compile(string pattern) => new(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));

    private static void CompileOrThrow(string pattern, string field)
    {
        try
        {
            Compile(pattern);
        }
        catch (ArgumentException e)
        {
            throw new SpecFormatException(SpecName, field, $"invalid regular expression: {e.Message}", e);
        }
    }
}
