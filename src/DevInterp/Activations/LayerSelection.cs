using System.Text;
using System.Text.RegularExpressions;
using DevInterp.Models;

namespace DevInterp.Activations;

/// <summary>
/// Which layers to capture: glob patterns over dotted module names (as <c>named_modules()</c> reports them), a layer
/// being selected when any pattern matches its whole name. <c>*</c> matches within one name segment (no dot),
/// <c>**</c> across segments, <c>?</c> one character other than a dot; everything else is literal. Examples:
/// <c>h.*</c> (each transformer block's output, not its submodules), <c>h.*.attn</c>, <c>layers.*</c>, <c>**</c> (every
/// submodule).
/// </summary>
/// <param name="Patterns">The glob patterns.</param>
public sealed record LayerSelection(IReadOnlyList<string> Patterns)
{
    // Compiled for one Patterns list (a `with` copy may replace the list, so the cache remembers which one).
    private (IReadOnlyList<string> For, Regex[] Regexes)? _compiled;

    /// <summary>Every submodule.</summary>
    public static LayerSelection All { get; } = new(["**"]);

    /// <summary>Reads comma-separated patterns (<c>h.*.attn,h.*.mlp</c>).</summary>
    /// <exception cref="ArgumentException">No pattern, or an empty one.</exception>
    public static LayerSelection Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var patterns = text.Split(',').Select(p => p.Trim()).ToList();
        if (patterns.Any(p => p.Length == 0))
            throw new ArgumentException($"layers: '{text}' holds an empty pattern; expected comma-separated globs such as h.*.attn,h.*.mlp", nameof(text));
        return new LayerSelection(patterns);
    }

    /// <summary>
    /// The layers worth comparing across training for a built-in spec: every Linear and activation of an MLP
    /// (<c>layers.*</c>, plus <c>activations.*</c> with contiguous naming), every layer of a deep linear network, the TMS hidden vector
    /// (<c>hook_hidden</c>), and for the transformer the embedding, each block's attention and MLP output and the
    /// residual stream after each block (<c>hook_embed</c>, <c>h.*.attn</c>, <c>h.*.mlp</c>, <c>h.*</c>). Every
    /// submodule for other specs.
    /// </summary>
    public static LayerSelection Default(ModelSpec? spec) => spec switch
    {
        MlpSpec { Naming: "contiguous" } => new(["layers.*", "activations.*"]),
        MlpSpec => new(["layers.*"]),
        DlnSpec => new(["layers.*"]),
        TmsSpec => new(["hook_hidden"]),
        TransformerSpec { AttnOnly: true } => new(["hook_embed", "h.*", "h.*.attn"]),
        TransformerSpec => new(["hook_embed", "h.*", "h.*.attn", "h.*.mlp"]),
        _ => All,
    };

    /// <summary>Whether <paramref name="name"/> is selected.</summary>
    public bool Matches(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_compiled is not { } c || !ReferenceEquals(c.For, Patterns))
            _compiled = c = (Patterns, Validated().Select(Compile).ToArray());
        return c.Regexes.Any(r => r.IsMatch(name));
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(",", Patterns);

    /// <summary>Equal when the patterns are equal, in order.</summary>
    public bool Equals(LayerSelection? other) => other is not null && Patterns.SequenceEqual(other.Patterns);

    /// <inheritdoc />
    public override int GetHashCode() => Patterns.Aggregate(Patterns.Count, (h, p) => HashCode.Combine(h, p));

    private IReadOnlyList<string> Validated()
    {
        if (Patterns is null || Patterns.Count == 0) throw new ArgumentException("layers: no pattern given", nameof(Patterns));
        foreach (var p in Patterns)
            if (string.IsNullOrWhiteSpace(p)) throw new ArgumentException("layers: a pattern is empty", nameof(Patterns));
        return Patterns;
    }

    private static Regex Compile(string glob)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                regex.Append(".*");
                i++;
            }
            else if (c == '*') regex.Append("[^.]*");
            else if (c == '?') regex.Append("[^.]");
            else regex.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
