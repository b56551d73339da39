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
public sealed record MlpSpec(IReadOnlyList<long> Widths, string Activation = "relu", bool Bias = true, string Naming = "sequential") : ModelSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "mlp";

    /// <summary>Naming values.</summary>
    public static readonly string[] Namings = ["sequential", "contiguous"];

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => Widths[0];

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
        r.RejectUnknown();
        return new MlpSpec(widths, activation, bias, naming);
    }

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["type"] = TypeName,
        ["widths"] = new JsonArray([.. Widths.Select(w => (JsonNode)w)]),
        ["activation"] = Activation,
        ["bias"] = Bias,
        ["naming"] = Naming,
    };

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
    }
}
