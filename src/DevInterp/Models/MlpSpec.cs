using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// A multilayer perceptron: Linear layers of the given widths with an activation between consecutive layers (none after
/// the last). With the default <c>sequential</c> naming the parameters are named as PyTorch names
/// <c>nn.Sequential(Linear, act, Linear, ...)</c> held in a <c>layers</c> attribute: <c>layers.0.weight</c>,
/// <c>layers.0.bias</c>, <c>layers.2.weight</c>, ... (each activation takes an index). With <c>contiguous</c> naming the
/// Linear layers are <c>layers.0</c>, <c>layers.1</c>, ... and the activations <c>activations.0</c>, ...
/// </summary>
/// <param name="Widths">[input, hidden..., output]; at least two entries.</param>
/// <param name="Activation">relu, tanh or gelu (exact).</param>
/// <param name="Bias">Whether the Linear layers have biases.</param>
/// <param name="Naming">sequential (PyTorch nn.Sequential indices, default) or contiguous.</param>
/// <param name="Embedding">
/// A token embedding in front of the first layer (<c>embed.weight</c> [vocab, dim]), as grokking MLPs take the pair
/// (a, b) as two tokens; null for an MLP on float features.
/// </param>
public sealed record MlpSpec(IReadOnlyList<long> Widths, string Activation = "relu", bool Bias = true, string Naming = "sequential",
    MlpEmbedding? Embedding = null) : ModelSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "mlp";

    /// <summary>Naming values.</summary>
    public static readonly string[] Namings = ["sequential", "contiguous"];

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => Embedding is null ? Widths[0] : null;

    /// <inheritdoc />
    public override long? TokenVocabulary => Embedding?.Vocab;

    /// <inheritdoc />
    public override string? RejectSequenceLength(long length) =>
        Embedding is not { Combine: "concat" } e || length * e.Dim == Widths[0] ? null
            : $"{Widths[0] / e.Dim} tokens (widths[0] = {Widths[0]} is {Widths[0] / e.Dim} concatenated embeddings of {e.Dim})";

    /// <inheritdoc />
    public override long OutputSize => Widths[^1];

    /// <summary>Number of Linear layers.</summary>
    public int LinearCount => Widths.Count - 1;

    /// <summary>The submodule name (inside <c>layers</c>) of Linear layer <paramref name="i"/>.</summary>
    public string LinearName(int i) => Naming == "contiguous" ? $"layers.{i}" : $"layers.{2 * i}";

    /// <inheritdoc />
    public override IReadOnlyList<ParameterShape> Parameters
    {
        get
        {
            var list = new List<ParameterShape>();
            if (Embedding is { } e) list.Add(new ParameterShape("embed.weight", e.Vocab, e.Dim));
            for (int i = 0; i < LinearCount; i++)
            {
                list.Add(new ParameterShape($"{LinearName(i)}.weight", Widths[i + 1], Widths[i]));
                if (Bias) list.Add(new ParameterShape($"{LinearName(i)}.bias", Widths[i + 1]));
            }
            return list;
        }
    }

    internal static MlpSpec Read(SpecReader r)
    {
        var widths = r.RequireIntArray("widths", 2, 1);
        string activation = r.OptionalString("activation", "relu", Activations.MlpNames)!;
        bool bias = r.OptionalBool("bias", true);
        string naming = r.OptionalString("naming", "sequential", Namings)!;
        var embedding = r.OptionalObject("embedding") is { } e ? MlpEmbedding.Read(new SpecReader(e, SpecName, "embedding.")) : null;
        r.RejectUnknown();
        var spec = new MlpSpec(widths, activation, bias, naming, embedding);
        if (spec.EmbeddingProblem() is { } problem) throw r.Error(problem.Field, problem.Reason);
        return spec;
    }

    /// <inheritdoc />
    public override JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["type"] = TypeName,
            ["widths"] = new JsonArray([.. Widths.Select(w => (JsonNode)w)]),
            ["activation"] = Activation,
            ["bias"] = Bias,
            ["naming"] = Naming,
        };
        if (Embedding is { } e) json["embedding"] = new JsonObject { ["vocab"] = e.Vocab, ["dim"] = e.Dim, ["combine"] = e.Combine };
        return json;
    }

    private (string Field, string Reason)? EmbeddingProblem()
    {
        if (Embedding is not { } e) return null;
        if (e.Vocab < 1) return ("embedding.vocab", $"expected an integer >= 1, got {e.Vocab}");
        if (e.Dim < 1) return ("embedding.dim", $"expected an integer >= 1, got {e.Dim}");
        if (!MlpEmbedding.Combines.Contains(e.Combine)) return ("embedding.combine", $"'{e.Combine}' is not one of {string.Join(", ", MlpEmbedding.Combines)}");
        if (e.Combine == "sum" && Widths[0] != e.Dim)
            return ("widths[0]", $"summed embeddings of dim {e.Dim} give {e.Dim} inputs, got widths[0] = {Widths[0]}");
        if (e.Combine == "concat" && Widths[0] % e.Dim != 0)
            return ("widths[0]", $"concatenated embeddings of dim {e.Dim} give a multiple of {e.Dim} inputs, got widths[0] = {Widths[0]}");
        return null;
    }

    /// <inheritdoc />
    protected override nn.Module<Tensor, Tensor> BuildCore(Generator generator, ScalarType dtype)
    {
        Validate();
        return new MlpModel(this, generator, dtype);
    }

    private void Validate()
    {
        if (Widths is null || Widths.Count < 2) throw new SpecFormatException(SpecName, "widths", "expected at least 2 entries");
        for (int i = 0; i < Widths.Count; i++)
            if (Widths[i] < 1) throw new SpecFormatException(SpecName, $"widths[{i}]", $"expected an integer >= 1, got {Widths[i]}");
        if (!Activations.MlpNames.Contains(Activation))
            throw new SpecFormatException(SpecName, "activation", $"'{Activation}' is not one of {string.Join(", ", Activations.MlpNames)}");
        if (!Namings.Contains(Naming))
            throw new SpecFormatException(SpecName, "naming", $"'{Naming}' is not one of {string.Join(", ", Namings)}");
        if (EmbeddingProblem() is { } problem) throw new SpecFormatException(SpecName, problem.Field, problem.Reason);
    }
}

/// <summary>
/// The token embedding of an <see cref="MlpSpec"/>: token ids [batch, k] → <c>embed.weight</c> rows [batch, k, dim],
/// then concatenated to [batch, k·dim] (<c>concat</c>) or summed to [batch, dim] (<c>sum</c>) before the first layer.
/// </summary>
/// <param name="Vocab">Number of tokens (rows of <c>embed.weight</c>).</param>
/// <param name="Dim">Embedding width.</param>
/// <param name="Combine">concat or sum.</param>
public sealed record MlpEmbedding(long Vocab, long Dim, string Combine = "concat")
{
    /// <summary>The combine values.</summary>
    public static readonly string[] Combines = ["concat", "sum"];

    internal static MlpEmbedding Read(SpecReader r)
    {
        long vocab = r.RequireInt("vocab", 1);
        long dim = r.RequireInt("dim", 1);
        string combine = r.OptionalString("combine", "concat", Combines)!;
        r.RejectUnknown();
        return new MlpEmbedding(vocab, dim, combine);
    }
}
