namespace DevInterp.Models;

/// <summary>
/// The name maps DevInterp ships, selected by name (<c>--name-map transformerlens</c>): the layouts in which the field
/// saves transformers, mapped onto <see cref="TransformerSpec"/>'s GPT-2-style names.
/// </summary>
public static class NameMaps
{
    /// <summary>
    /// Hugging Face GPT-2 (<c>GPT2LMHeadModel</c> / <c>GPT2Model</c> state dicts, <c>pytorch_model.bin</c> or
    /// <c>model.safetensors</c>): <see cref="NameMap.HuggingFaceGpt2"/> (prefix dropped, Conv1D [in, out] weights
    /// transposed, mask buffers ignored) and the saved <c>lm_head.weight</c> ignored, since GPT-2 ties it to
    /// <c>wte.weight</c> (use a tied spec).
    /// </summary>
    public static NameMap HuggingFaceGpt2 { get; } = NameMap.HuggingFaceGpt2.Then(new NameMap([], [@"^lm_head\.weight$"]));

    /// <summary>
    /// TransformerLens <c>HookedTransformer.state_dict()</c> (standard positional embeddings, LayerNorm "LN" or none,
    /// with or without MLPs): <c>embed.W_E</c> → <c>wte.weight</c>, <c>pos_embed.W_pos</c> → <c>wpe.weight</c>, per-head
    /// <c>W_Q</c>/<c>W_K</c>/<c>W_V</c> [heads, d_model, d_head] permuted to [heads·d_head, d_model] rows of
    /// <c>c_attn.weight</c> (q, k, v in that order) and <c>b_Q</c>/<c>b_K</c>/<c>b_V</c> [heads, d_head] into
    /// <c>c_attn.bias</c>, <c>W_O</c> [heads, d_head, d_model] into <c>c_proj.weight</c> [d_model, heads·d_head],
    /// <c>mlp.W_in</c>/<c>W_out</c> [in, out] transposed into <c>c_fc</c>/<c>c_proj</c>, <c>ln1</c>/<c>ln2</c>/
    /// <c>ln_final</c> <c>w</c>/<c>b</c> into <c>ln_1</c>/<c>ln_2</c>/<c>ln_f</c>, <c>unembed.W_U</c> [d_model, d_vocab_out]
    /// transposed into <c>lm_head.weight</c> and <c>b_U</c> into <c>lm_head.bias</c> (an untied spec with
    /// <c>unembed_bias</c>); the causal-mask buffers <c>attn.mask</c> and <c>attn.IGNORE</c> are ignored.
    /// </summary>
    public static NameMap TransformerLens { get; } = new(
        [
            NameRule.Exact("embed.W_E", "wte.weight"),
            NameRule.Exact("pos_embed.W_pos", "wpe.weight"),
            NameRule.Pattern(@"^blocks\.(\d+)\.ln1\.w$", "h.$1.ln_1.weight"),
            NameRule.Pattern(@"^blocks\.(\d+)\.ln1\.b$", "h.$1.ln_1.bias"),
            NameRule.Pattern(@"^blocks\.(\d+)\.ln2\.w$", "h.$1.ln_2.weight"),
            NameRule.Pattern(@"^blocks\.(\d+)\.ln2\.b$", "h.$1.ln_2.bias"),
            QkvWeight("Q", 0), QkvWeight("K", 1), QkvWeight("V", 2),
            QkvBias("Q", 0), QkvBias("K", 1), QkvBias("V", 2),
            NameRule.Pattern(@"^blocks\.(\d+)\.attn\.W_O$", "h.$1.attn.c_proj.weight") with { Permute = [2, 0, 1], Flatten = (1, 2) },
            NameRule.Pattern(@"^blocks\.(\d+)\.attn\.b_O$", "h.$1.attn.c_proj.bias"),
            NameRule.Pattern(@"^blocks\.(\d+)\.mlp\.W_in$", "h.$1.mlp.c_fc.weight", transpose: true),
            NameRule.Pattern(@"^blocks\.(\d+)\.mlp\.b_in$", "h.$1.mlp.c_fc.bias"),
            NameRule.Pattern(@"^blocks\.(\d+)\.mlp\.W_out$", "h.$1.mlp.c_proj.weight", transpose: true),
            NameRule.Pattern(@"^blocks\.(\d+)\.mlp\.b_out$", "h.$1.mlp.c_proj.bias"),
            NameRule.Exact("ln_final.w", "ln_f.weight"),
            NameRule.Exact("ln_final.b", "ln_f.bias"),
            NameRule.Exact("unembed.W_U", "lm_head.weight", transpose: true),
            NameRule.Exact("unembed.b_U", "lm_head.bias"),
        ],
        [@"^blocks\.\d+\.attn\.(?:mask|IGNORE)$"]);

    /// <summary>The names <see cref="Named"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["transformerlens", "hf-gpt2"];

    /// <summary>The built-in map of that name (case-insensitive), or null.</summary>
    public static NameMap? Named(string name) => name.ToLowerInvariant() switch
    {
        "transformerlens" or "transformer-lens" or "tl" => TransformerLens,
        "hf-gpt2" or "gpt2" or "huggingface-gpt2" => HuggingFaceGpt2,
        _ => null,
    };

    private static NameRule QkvWeight(string which, int part) =>
        NameRule.Pattern($@"^blocks\.(\d+)\.attn\.W_{which}$", "h.$1.attn.c_attn.weight") with { Permute = [0, 2, 1], Flatten = (0, 1), Part = (part, 3) };

    private static NameRule QkvBias(string which, int part) =>
        NameRule.Pattern($@"^blocks\.(\d+)\.attn\.b_{which}$", "h.$1.attn.c_attn.bias") with { Flatten = (0, 1), Part = (part, 3) };
}
