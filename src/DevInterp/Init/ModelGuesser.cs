using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DevInterp.Checkpoints;
using DevInterp.Models;

namespace DevInterp.Init;

/// <summary>
/// Proposes a built-in model spec and a name map from a checkpoint's tensor names and shapes: a TransformerLens
/// <c>HookedTransformer</c>, a Hugging Face GPT-2, DevInterp's own transformer names, the toy model of superposition,
/// or an MLP — a chain of 2-D weights whose widths connect (with biases, and a token embedding in front when there is
/// one), whatever its layers are called. What the tensors cannot tell (activations, the number of GPT-2 heads) is
/// left as a <see cref="SetupChoice"/> unless the run's saved metadata states it; a word in the run's names only
/// pre-fills the field with a note to check it.
/// </summary>
internal static partial class ModelGuesser
{
    public static ModelGuess Guess(IReadOnlyList<TensorInfo> all, SetupHints hints)
    {
        // Integer and boolean tensors are buffers (masks, counters), never weights.
        var tensors = all.Where(t => t.DType.IsFloatingPoint() && t.Shape.Count > 0).ToList();
        var names = tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        if (names.Contains("embed.W_E") && names.Any(n => TlQ().IsMatch(n))) return TransformerLens(tensors, hints);
        if (tensors.FirstOrDefault(t => HfAttn().IsMatch(t.Name)) is { } attn && Find(tensors, "wte.weight") is { } wte)
        {
            bool conv1d = attn.Shape[0] == wte.Shape[1] && attn.Shape[1] == 3 * wte.Shape[1];
            return Gpt(tensors, hints, conv1d);
        }
        if (names.SetEquals(["W", "b_final"]) && Find(tensors, "W") is { Shape.Count: 2 } w) return Tms(w);
        return Mlp(tensors, all, hints);
    }

    [GeneratedRegex(@"^blocks\.\d+\.attn\.W_Q$")]
    private static partial Regex TlQ();

    [GeneratedRegex(@"^(?:transformer\.)?h\.\d+\.attn\.c_attn\.weight$")]
    private static partial Regex HfAttn();

    [GeneratedRegex(@"^(?:transformer\.)?h\.(\d+)\.")]
    private static partial Regex HfBlock();

    [GeneratedRegex(@"^blocks\.(\d+)\.")]
    private static partial Regex TlBlock();

    private static TensorInfo? Find(IEnumerable<TensorInfo> tensors, string suffix) =>
        tensors.FirstOrDefault(t => t.Name == suffix || t.Name.EndsWith("." + suffix, StringComparison.Ordinal));

    private static string Shape(TensorInfo t) => $"[{string.Join(", ", t.Shape)}]";

    private static string Count(long n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

    // ---------------------------------------------------------------------------------------------- TransformerLens
    private static ModelGuess TransformerLens(List<TensorInfo> t, SetupHints hints)
    {
        TensorInfo Get(string name) => t.First(x => x.Name == name);
        var we = Get("embed.W_E");
        var wq = Get("blocks.0.attn.W_Q");
        long vocab = we.Shape[0], dModel = we.Shape[1], heads = wq.Shape[0], dHead = wq.Shape[2];
        long context = t.FirstOrDefault(x => x.Name == "pos_embed.W_pos")?.Shape[0] ?? 0;
        long layers = t.Select(x => TlBlock().Match(x.Name)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().Count();
        var win = t.FirstOrDefault(x => x.Name == "blocks.0.mlp.W_in");
        bool attnOnly = win is null;
        bool ln = t.Any(x => x.Name == "blocks.0.ln1.w");
        var wu = t.FirstOrDefault(x => x.Name == "unembed.W_U");
        long vocabOut = wu?.Shape[1] ?? vocab;
        bool bU = t.Any(x => x.Name == "unembed.b_U");
        var spec = new CommentedJson();
        spec.Header.AddRange([
            "Model spec proposed by `devinterp init` from the tensor names and shapes of a TransformerLens HookedTransformer",
            "state dict (embed.W_E, blocks.N.attn.W_Q [heads, d_model, d_head], ...), loaded with --name-map transformerlens.",
            "Every field is read from a tensor's shape unless its comment says otherwise. docs/models.md lists the fields."]);
        spec.Set("type", "transformer");
        spec.Set("vocab", vocab, $"d_vocab: rows of embed.W_E {Shape(we)}");
        spec.Set("vocab_out", vocabOut, wu is null ? "" : $"d_vocab_out: columns of unembed.W_U {Shape(wu)}");
        spec.Set("context", context, $"n_ctx: rows of pos_embed.W_pos");
        spec.Set("d_model", dModel);
        spec.Set("heads", heads, $"n_heads and d_head from blocks.0.attn.W_Q {Shape(wq)}");
        spec.Set("d_head", dHead);
        spec.Set("layers", layers, layers == 1 ? "blocks.0" : $"blocks.0 ... blocks.{layers - 1}");
        spec.Set("attn_only", attnOnly, attnOnly ? "no blocks.N.mlp tensors: an attention-only model" : "");
        spec.Set("d_mlp", win?.Shape[1] ?? 4 * dModel, win is null ? "unused (attention-only)" : $"columns of blocks.0.mlp.W_in {Shape(win)}");
        spec.Set("activation", (JsonNode?)null);
        spec.Set("layer_norm", ln, ln ? "blocks.N.ln1.w present: normalization_type \"LN\""
            : "CHECK: no LayerNorm weights, so normalization_type None; a model saved with fold_ln (\"LNPre\") also has none, and DevInterp does not support LNPre");
        spec.Set("ln_eps", 1e-5, ln ? "TransformerLens's cfg.eps; 1e-5 unless the config changed it" : "unused without LayerNorm");
        spec.Set("tie_embeddings", false, "TransformerLens keeps a separate unembed.W_U");
        spec.Set("unembed_bias", bU, bU ? "unembed.b_U present" : "");
        var guess = new ModelGuess
        {
            Spec = spec,
            BuiltInMap = "transformerlens",
            Description = $"a TransformerLens transformer: {Count(layers, "layer")}, d_model {dModel}, {heads} heads of {dHead}, vocab {vocab} → {vocabOut} logits{(attnOnly ? ", attention only" : $", d_mlp {win!.Shape[1]}")}",
            OutputSize = vocabOut,
            Vocab = vocab,
            SequenceLength = context,
            IsTransformer = true,
        };
        if (attnOnly) spec.Set("activation", "gelu_tanh", "unused (attention-only)");
        else SetActivation(guess, spec, hints, Models.Activations.TransformerNames, "act_fn: relu, gelu (exact) or gelu_tanh (TransformerLens's gelu_new)");
        if (t.Any(x => x.Name.Contains("rotary", StringComparison.Ordinal)))
            guess.Notes.Add("the checkpoint has rotary-embedding tensors: DevInterp's transformer has standard (learned) positional embeddings only, so it cannot reproduce this model");
        return guess;
    }

    // ---------------------------------------------------------------------------------------------- GPT-2 names
    private static ModelGuess Gpt(List<TensorInfo> t, SetupHints hints, bool conv1d)
    {
        var wte = Find(t, "wte.weight")!;
        var wpe = Find(t, "wpe.weight");
        long vocab = wte.Shape[0], dModel = wte.Shape[1];
        long layers = t.Select(x => HfBlock().Match(x.Name)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();
        var fc = t.FirstOrDefault(x => Regex.IsMatch(x.Name, @"h\.0\.mlp\.c_fc\.weight$"));
        long dMlp = fc is null ? 4 * dModel : conv1d ? fc.Shape[1] : fc.Shape[0];
        bool ln = t.Any(x => Regex.IsMatch(x.Name, @"h\.0\.ln_1\.weight$"));
        bool lmHead = t.Any(x => x.Name == "lm_head.weight");
        var spec = new CommentedJson();
        spec.Header.AddRange([
            conv1d
                ? "Model spec proposed by `devinterp init` for a Hugging Face GPT-2 checkpoint (Conv1D weights [in, out]), loaded with --name-map hf-gpt2."
                : "Model spec proposed by `devinterp init` for a checkpoint with DevInterp's own transformer names (wte, h.N.attn.c_attn, ...).",
            "Every field is read from a tensor's shape unless its comment says otherwise. docs/models.md lists the fields."]);
        spec.Set("type", "transformer");
        spec.Set("vocab", vocab, $"rows of wte.weight {Shape(wte)}");
        spec.Set("context", wpe?.Shape[0] ?? hints.HfInt("n_positions") ?? 1024, wpe is null ? "CHECK: no wpe.weight" : $"rows of wpe.weight");
        spec.Set("d_model", dModel);
        spec.Set("layers", layers);
        spec.Set("d_mlp", dMlp, fc is null ? "" : $"from h.0.mlp.c_fc.weight {Shape(fc)}");
        spec.Set("layer_norm", ln);
        var guess = new ModelGuess
        {
            Spec = spec,
            BuiltInMap = conv1d ? "hf-gpt2" : null,
            Description = $"a GPT-2-style transformer: {Count(layers, "layer")}, d_model {dModel}, vocab {vocab}{(conv1d ? " (Hugging Face layout)" : "")}",
            OutputSize = vocab,
            Vocab = vocab,
            SequenceLength = wpe?.Shape[0],
            IsTransformer = true,
        };
        if (hints.HfInt("n_head") is { } nHead) spec.Set("heads", nHead, "n_head from config.json");
        else
        {
            var divisors = Enumerable.Range(1, (int)Math.Min(dModel, 64)).Where(h => dModel % h == 0).Select(h => h.ToString(CultureInfo.InvariantCulture)).ToList();
            var choice = new SetupChoice("model.json", "heads", divisors, "the number of attention heads is not in the tensor shapes (c_attn fuses them) and there is no config.json");
            guess.Choices.Add(choice);
            spec.Set("heads", choice.Placeholder, "CHOOSE: n_head of the training config (it divides d_model)");
        }
        string? hfAct = hints.HfString("activation_function");
        if (hfAct is not null && SetupHints.NormalizeActivation(hfAct, Models.Activations.TransformerNames) is { } a)
            spec.Set("activation", a, $"activation_function \"{hfAct}\" from config.json");
        else if (conv1d) spec.Set("activation", "gelu_tanh", "CHECK: GPT-2's default activation_function gelu_new (no config.json says otherwise)");
        else SetActivation(guess, spec, hints, Models.Activations.TransformerNames, "relu, gelu (exact) or gelu_tanh (GPT-2's gelu_new)");
        spec.Set("ln_eps", hints.HfDouble("layer_norm_epsilon") ?? 1e-5, hints.HfDouble("layer_norm_epsilon") is null ? "GPT-2's layer_norm_epsilon default" : "layer_norm_epsilon from config.json");
        bool tied = conv1d || !lmHead;
        spec.Set("tie_embeddings", tied, conv1d ? "GPT-2 ties lm_head.weight to wte.weight (the built-in map skips the saved copy)" : lmHead ? "lm_head.weight present" : "no lm_head.weight: logits use wte.weight");
        return guess;
    }

    // ---------------------------------------------------------------------------------------------- TMS
    private static ModelGuess Tms(TensorInfo w)
    {
        var spec = new CommentedJson();
        spec.Header.Add("Model spec proposed by `devinterp init`: the toy model of superposition (W [hidden, features], b_final [features]).");
        spec.Set("type", "tms");
        spec.Set("features", w.Shape[1], $"columns of W {Shape(w)}");
        spec.Set("hidden", w.Shape[0]);
        return new ModelGuess
        {
            Spec = spec,
            Description = $"a toy model of superposition: {w.Shape[1]} features in {w.Shape[0]} dimensions",
            OutputSize = w.Shape[1],
            InputWidth = w.Shape[1],
        };
    }

    // ---------------------------------------------------------------------------------------------- MLP
    private sealed record Layer(TensorInfo Weight, TensorInfo? Bias)
    {
        public long In(bool transposed) => transposed ? Weight.Shape[0] : Weight.Shape[1];

        public long Out(bool transposed) => transposed ? Weight.Shape[1] : Weight.Shape[0];
    }

    private static ModelGuess Mlp(List<TensorInfo> t, IReadOnlyList<TensorInfo> all, SetupHints hints)
    {
        var embedding = t.FirstOrDefault(x => x.Shape.Count == 2 && Regex.IsMatch(x.Name, "emb", RegexOptions.IgnoreCase));
        var matrices = t.Where(x => x.Shape.Count == 2 && x != embedding).ToList();
        var vectors = t.Where(x => x.Shape.Count == 1).ToList();
        if (matrices.Count == 0)
        {
            throw new Runs.RunFormatException(all.Count == 0 ? "checkpoint" : all[0].Name,
                $"no 2-D weight among the checkpoint's tensors ({string.Join(", ", all.Take(8).Select(x => $"{x.Name} {Shape(x)}"))}); `init` proposes MLP, TMS and transformer specs only — write the spec by hand (docs/models.md)");
        }
        var (layers, transposed) = Chain(matrices, vectors);
        if (layers is null)
        {
            throw new Runs.RunFormatException(matrices[0].Name,
                $"the 2-D weights ({string.Join(", ", matrices.Take(8).Select(x => $"{x.Name} {Shape(x)}"))}) do not form a chain of layers whose widths connect; write the spec by hand (docs/models.md)");
        }
        bool anyBias = layers.Any(l => l.Bias is not null), allBias = layers.All(l => l.Bias is not null);
        var widths = new List<long> { layers[0].In(transposed) };
        widths.AddRange(layers.Select(l => l.Out(transposed)));
        var spec = new CommentedJson();
        spec.Header.AddRange([
            "Model spec proposed by `devinterp init` from the checkpoint's tensor names and shapes: a chain of Linear layers",
            $"({string.Join(", ", layers.Select(l => l.Weight.Name))}){(embedding is null ? "" : $" after the token embedding {embedding.Name}")}.",
            "docs/models.md lists the fields."]);
        spec.Set("type", "mlp");
        spec.Set("widths", new JsonArray([.. widths.Select(w => (JsonNode)w)]),
            $"[input, hidden..., output] from the weight shapes{(transposed ? " (stored [in, out], as for x @ W; the name map transposes them)" : " ([out, in], as nn.Linear stores them)")}");
        long? embedK = null;
        if (embedding is not null)
        {
            long dim = embedding.Shape[1];
            bool concat = widths[0] != dim && widths[0] % dim == 0;
            embedK = concat ? widths[0] / dim : null;
            spec.Set("embedding", new JsonObject { ["vocab"] = embedding.Shape[0], ["dim"] = dim, ["combine"] = concat ? "concat" : "sum" },
                concat ? $"{embedding.Name} {Shape(embedding)}: {embedK} token embeddings concatenated give the first layer's {widths[0]} inputs"
                       : $"CHECK: {embedding.Name} {Shape(embedding)} has the first layer's width {widths[0]}: the token embeddings are summed (or there is one token)");
        }
        spec.Set("bias", anyBias, allBias ? "every layer has a bias" : anyBias ? "" : "no bias tensors");
        spec.Set("activation", (JsonNode?)null);
        var guess = new ModelGuess
        {
            Spec = spec,
            Description = $"an MLP {string.Join(" → ", widths)}{(anyBias ? " with biases" : " without biases")}{(embedding is null ? "" : $" after a token embedding {Shape(embedding)}")}",
            OutputSize = widths[^1],
            InputWidth = embedding is null ? widths[0] : null,
            Vocab = embedding?.Shape[0],
            SequenceLength = embedK,
        };
        if (anyBias && !allBias)
            guess.Notes.Add($"only some layers have a bias ({string.Join(", ", layers.Where(l => l.Bias is null).Select(l => l.Weight.Name))} has none); the mlp spec has one bias setting for all layers, so the load will report the difference");
        if (layers.Count == 1) spec.Set("activation", "relu", "unused: one layer has no activation");
        else SetActivation(guess, spec, hints, Models.Activations.MlpNames,
            anyBias ? "relu, tanh or gelu (exact): what the training code applies between the layers"
                    : "relu, tanh or gelu (exact) between the layers; a network without activations is a deep linear network: {\"type\": \"dln\", \"widths\": [...]}");
        spec.Set("naming", "sequential", "DevInterp's names: layers.0, layers.2, ... (names.json maps the checkpoint's names onto them)");

        // The name map: the checkpoint's names onto layers.{2i}.weight/bias (and embed.weight).
        var rename = new List<(string From, string To, bool Transpose)>();
        if (embedding is not null) rename.Add((embedding.Name, "embed.weight", false));
        for (int i = 0; i < layers.Count; i++)
        {
            rename.Add((layers[i].Weight.Name, $"layers.{2 * i}.weight", transposed));
            if (layers[i].Bias is { } b) rename.Add((b.Name, $"layers.{2 * i}.bias", false));
        }
        var used = rename.Select(r => r.From).ToHashSet(StringComparer.Ordinal);
        var leftover = all.Where(x => !used.Contains(x.Name)).ToList();
        if (rename.All(r => r.From == r.To && !r.Transpose) && leftover.Count == 0) return guess;
        var map = new CommentedJson();
        map.Header.AddRange([
            "Name map proposed by `devinterp init`: the checkpoint's tensor names on the left, the names of the module the",
            "model spec builds on the right (docs/models.md, \"Loading checkpoints\")."]);
        var renamed = rename.Where(r => r.From != r.To || r.Transpose).ToList();
        if (renamed.Any(r => r.Transpose))
        {
            map.Set("rules", new JsonArray([.. renamed.Select(r => (JsonNode)new JsonObject { ["from"] = r.From, ["to"] = r.To, ["transpose"] = r.Transpose })]),
                "each layer's weight (stored [in, out], transposed on load) and bias, in order");
        }
        else
        {
            var names = new CommentedJson();
            foreach (var (from, to, _) in renamed) names.Set(from, JsonValue.Create(to));
            map.Set("rename", names, $"each layer's weight and bias{(embedding is null ? "" : ", after the embedding")}, in order");
        }
        if (leftover.Count > 0)
        {
            map.Set("ignore", new JsonArray([.. leftover.Select(x => (JsonNode)$"^{Regex.Escape(x.Name)}$")]),
                $"CHECK: tensors that are not part of the layer chain ({string.Join(", ", leftover.Take(6).Select(x => $"{x.Name} {Shape(x)}"))}); skipped when loading");
            guess.Notes.Add($"{Count(leftover.Count, "tensor")} of the checkpoint are not part of the layer chain and are ignored: {string.Join(", ", leftover.Take(6).Select(x => x.Name))}");
        }
        guess.NameMap = map;
        return guess;
    }

    /// <summary>
    /// The layers in an order whose widths connect: the file's order (state dicts list modules in order), else the
    /// numbers in the names; weights as nn.Linear stores them ([out, in]) or transposed ([in, out]). Biases are the
    /// 1-D tensors named like their weight (weight → bias, W → b) with the layer's output width.
    /// </summary>
    private static (List<Layer>? Layers, bool Transposed) Chain(List<TensorInfo> matrices, List<TensorInfo> vectors)
    {
        var orders = new[] { matrices, matrices.OrderBy(m => NaturalKey(m.Name), StringComparer.Ordinal).ToList() };
        foreach (bool transposed in new[] { false, true })
        {
            foreach (var order in orders)
            {
                bool connects = true;
                for (int i = 1; i < order.Count && connects; i++)
                    connects = (transposed ? order[i].Shape[0] : order[i].Shape[1]) == (transposed ? order[i - 1].Shape[1] : order[i - 1].Shape[0]);
                if (!connects) continue;
                return (order.Select(w => new Layer(w, BiasOf(w, vectors, transposed ? w.Shape[1] : w.Shape[0]))).ToList(), transposed);
            }
        }
        return (null, false);
    }

    private static TensorInfo? BiasOf(TensorInfo weight, List<TensorInfo> vectors, long width)
    {
        string n = weight.Name;
        var candidates = new List<string>();
        if (n.EndsWith("weight", StringComparison.Ordinal)) candidates.Add(n[..^"weight".Length] + "bias");
        if (Regex.Match(n, @"(^|[._])W(\w*)$") is { Success: true } m) candidates.Add(n[..m.Index] + m.Groups[1].Value + "b" + m.Groups[2].Value);
        if (Regex.Match(n, @"(^|[._])w(\w*)$") is { Success: true } m2) candidates.Add(n[..m2.Index] + m2.Groups[1].Value + "b" + m2.Groups[2].Value);
        return vectors.FirstOrDefault(v => candidates.Contains(v.Name) && v.Shape[0] == width);
    }

    // Numbers zero-padded so that "layer10" sorts after "layer9".
    private static string NaturalKey(string name) => Regex.Replace(name, @"\d+", m => m.Value.PadLeft(12, '0'));

    private static void SetActivation(ModelGuess guess, CommentedJson spec, SetupHints hints, IReadOnlyList<string> allowed, string what)
    {
        var found = hints.Activation(allowed);
        if (found is { Certain: true }) spec.Set("activation", found.Value, $"from {found.Source}");
        else if (found is not null) spec.Set("activation", found.Value, $"CHECK: guessed from {found.Source}; the checkpoint does not store it ({what})");
        else
        {
            var choice = new SetupChoice("model.json", "activation", allowed, $"the checkpoint does not store the activation ({what})");
            guess.Choices.Add(choice);
            spec.Set("activation", choice.Placeholder, $"CHOOSE: {what}; the checkpoint does not store it");
        }
    }
}
