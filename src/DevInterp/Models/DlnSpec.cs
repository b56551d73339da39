using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// A deep linear network: bias-free Linear layers with nothing between them, computing W_{L-1} ⋯ W_1 W_0 x. Parameters
/// are <c>layers.{i}.weight</c> shaped [widths[i+1], widths[i]] for i = 0..L-1, indices contiguous (there are no
/// activation modules to skip). Every weight entry starts as N(0, init_scale²): a small scale puts training near the
/// origin saddle, where it learns the teacher's singular values one at a time (Saxe et al. 2014).
/// </summary>
/// <param name="Widths">[input, hidden..., output]; at least two entries (one layer).</param>
/// <param name="InitScale">Standard deviation of each initial weight entry.</param>
public sealed record DlnSpec(IReadOnlyList<long> Widths, double InitScale = DlnSpec.DefaultInitScale) : ModelSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "dln";

    /// <summary>Default <see cref="InitScale"/>.</summary>
    public const double DefaultInitScale = 0.01;

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => Widths[0];

    /// <inheritdoc />
    public override long OutputSize => Widths[^1];

    /// <summary>Number of layers L.</summary>
    public int Depth => Widths.Count - 1;

    /// <inheritdoc />
    public override IReadOnlyList<ParameterShape> Parameters =>
        [.. Enumerable.Range(0, Depth).Select(i => new ParameterShape($"layers.{i}.weight", Widths[i + 1], Widths[i]))];

    internal static DlnSpec Read(SpecReader r)
    {
        var widths = r.RequireIntArray("widths", 2, 1);
        double scale = r.OptionalDouble("init_scale", DefaultInitScale, 0, exclusiveMin: true)!.Value;
        r.RejectUnknown();
        return new DlnSpec(widths, scale);
    }

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["type"] = TypeName,
        ["widths"] = new JsonArray([.. Widths.Select(w => (JsonNode)w)]),
        ["init_scale"] = InitScale,
    };

    /// <inheritdoc />
    protected override nn.Module<Tensor, Tensor> BuildCore(Generator generator, ScalarType dtype)
    {
        if (Widths is null || Widths.Count < 2) throw new SpecFormatException(SpecName, "widths", "expected at least 2 entries");
        for (int i = 0; i < Widths.Count; i++)
            if (Widths[i] < 1) throw new SpecFormatException(SpecName, $"widths[{i}]", $"expected an integer >= 1, got {Widths[i]}");
        if (!(InitScale > 0) || !double.IsFinite(InitScale))
            throw new SpecFormatException(SpecName, "init_scale", $"expected a finite number > 0, got {InitScale}");
        return new DeepLinearNetwork(this, generator, dtype);
    }
}
