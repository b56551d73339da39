using System.Text.RegularExpressions;
using DevInterp.Checkpoints;

namespace DevInterp.Init;

/// <summary>
/// What a run says about itself outside its tensors: scalars and strings saved beside the state dict (a training
/// script's <c>args</c> or <c>config</c>), a Hugging Face <c>config.json</c>, and the words in its folder and file
/// names. Values found in saved metadata are taken as facts; words in names are only guesses, marked for checking.
/// </summary>
internal sealed partial class SetupHints
{
    private readonly IReadOnlyDictionary<string, MetadataValue> _metadata;
    private readonly string _names;

    public SetupHints(IReadOnlyDictionary<string, MetadataValue> metadata, IEnumerable<string> names, System.Text.Json.Nodes.JsonObject? hfConfig)
    {
        _metadata = metadata;
        _names = string.Join(" ", names).ToLowerInvariant();
        HfConfig = hfConfig;
    }

    /// <summary>The Hugging Face config.json beside the weights, when there is one.</summary>
    public System.Text.Json.Nodes.JsonObject? HfConfig { get; }

    /// <summary>A value and where it came from ("the checkpoint's 'args.activation'", "the folder name 'tanh_mlp'").</summary>
    public sealed record Guess(string Value, string Source, bool Certain);

    [GeneratedRegex(@"(?:^|[^a-z])(relu|tanh|gelu|gelu_new)(?:[^a-z]|$)")]
    private static partial Regex ActivationWord();

    /// <summary>The activation, among <paramref name="allowed"/>, from saved metadata or, failing that, from names.</summary>
    public Guess? Activation(IReadOnlyList<string> allowed)
    {
        foreach (var (key, value) in _metadata)
        {
            string last = key.Split('.')[^1].ToLowerInvariant();
            if (value is not MetadataValue.Text text || !(last.Contains("act") || last.Contains("nonlin"))) continue;
            if (NormalizeActivation(text.Value, allowed) is { } a) return new Guess(a, $"the checkpoint's '{key}' = '{text.Value}'", true);
        }
        var m = ActivationWord().Match(_names);
        if (m.Success && NormalizeActivation(m.Groups[1].Value, allowed) is { } guessed)
            return new Guess(guessed, $"the word '{m.Groups[1].Value}' in the run's folder or file names", false);
        return null;
    }

    /// <summary>An activation name as the model specs spell it (gelu_new and friends are gelu_tanh), or null.</summary>
    public static string? NormalizeActivation(string name, IReadOnlyList<string> allowed)
    {
        string n = name.Trim().ToLowerInvariant().Replace("-", "_");
        string? a = n switch
        {
            "relu" or "nn.relu" => "relu",
            "tanh" or "nn.tanh" => "tanh",
            "gelu" or "nn.gelu" or "gelu_exact" => "gelu",
            "gelu_new" or "gelu_tanh" or "gelu_fast" or "gelu_pytorch_tanh" => "gelu_tanh",
            _ => null,
        };
        return a is not null && allowed.Contains(a) ? a : null;
    }

    [GeneratedRegex(@"(?:^|[^a-z])(add|addition|plus|sub|subtract|subtraction|minus|mul|mult|multiply|multiplication|times|prod|div|divide|division)(?:[^a-z]|$)")]
    private static partial Regex OperationWord();

    /// <summary>The modular operation from saved metadata or, failing that, from names.</summary>
    public Guess? Operation()
    {
        foreach (var (key, value) in _metadata)
        {
            string last = key.Split('.')[^1].ToLowerInvariant();
            if (value is not MetadataValue.Text text || !(last.Contains("op") || last.Contains("task") || last.Contains("fn"))) continue;
            if (NormalizeOperation(text.Value) is { } op) return new Guess(op, $"the checkpoint's '{key}' = '{text.Value}'", true);
        }
        var m = OperationWord().Match(_names);
        if (m.Success && NormalizeOperation(m.Groups[1].Value) is { } guessed)
            return new Guess(guessed, $"the word '{m.Groups[1].Value}' in the run's folder or file names", false);
        return null;
    }

    private static string? NormalizeOperation(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (Regex.IsMatch(t, @"^\s*[a-z]\s*([+\-*/])\s*[a-z]"))
            return Regex.Match(t, @"[+\-*/]").Value switch { "+" => "add", "-" => "subtract", "*" => "multiply", _ => "divide" };
        var m = OperationWord().Match(t);
        if (!m.Success) return null;
        string w = m.Groups[1].Value;
        return w.StartsWith("ad", StringComparison.Ordinal) || w == "plus" ? "add"
            : w.StartsWith("su", StringComparison.Ordinal) || w == "minus" ? "subtract"
            : w.StartsWith("mu", StringComparison.Ordinal) || w is "times" or "prod" ? "multiply"
            : "divide";
    }

    /// <summary>An integer from the Hugging Face config, or null.</summary>
    public long? HfInt(string key) =>
        HfConfig?[key] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out long l) ? l : null;

    /// <summary>A number from the Hugging Face config, or null.</summary>
    public double? HfDouble(string key) =>
        HfConfig?[key] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out double d) ? d : null;

    /// <summary>A string from the Hugging Face config, or null.</summary>
    public string? HfString(string key) =>
        HfConfig?[key] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
