using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DevInterp.Models;

/// <summary>
/// The toy model of superposition (Elhage et al. 2022): <c>W</c> [hidden, features] and <c>b_final</c> [features],
/// output ReLU(WᵀW x + b_final). <c>W</c> starts Xavier-normal (std sqrt(2/(hidden+features))) unless
/// <c>init_scale</c> gives the standard deviation; <c>b_final</c> starts at zero.
/// </summary>
/// <param name="Features">Number of input (and output) features.</param>
/// <param name="Hidden">Hidden (embedding) dimension.</param>
/// <param name="InitScale">Standard deviation of the entries of W, or null for Xavier normal.</param>
public sealed record TmsSpec(long Features, long Hidden, double? InitScale = null) : ModelSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "tms";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => Features;

    /// <inheritdoc />
    public override long OutputSize => Features;

    /// <inheritdoc />
    public override IReadOnlyList<ParameterShape> Parameters =>
        [new ParameterShape("W", Hidden, Features), new ParameterShape("b_final", Features)];

    internal static TmsSpec Read(SpecReader r)
    {
        long features = r.RequireInt("features", 1);
        long hidden = r.RequireInt("hidden", 1);
        double? scale = r.OptionalDouble("init_scale", null, 0, exclusiveMin: true);
        r.RejectUnknown();
        return new TmsSpec(features, hidden, scale);
    }

    /// <inheritdoc />
    public override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = TypeName, ["features"] = Features, ["hidden"] = Hidden };
        if (InitScale is { } s) json["init_scale"] = s;
        return json;
    }

    /// <inheritdoc />
    protected override nn.Module<Tensor, Tensor> BuildCore(Generator generator, ScalarType dtype)
    {
        if (Features < 1) throw new SpecFormatException(SpecName, "features", $"expected an integer >= 1, got {Features}");
        if (Hidden < 1) throw new SpecFormatException(SpecName, "hidden", $"expected an integer >= 1, got {Hidden}");
        if (InitScale is { } s && !(s > 0 && double.IsFinite(s)))
            throw new SpecFormatException(SpecName, "init_scale", $"expected a finite number > 0, got {s}");
        return new TmsModel(this, generator, dtype);
    }
}
