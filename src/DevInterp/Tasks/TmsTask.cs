using System.Text.Json.Nodes;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>
/// Toy-model-of-superposition data (Elhage et al. 2022): each of <paramref name="Features"/> features is independently
/// present with probability <paramref name="FeatureProbability"/>, with a value uniform on [0, 1) when present and 0
/// otherwise; the target is the input. Feature i has importance <paramref name="ImportanceDecay"/>^i (1 = all equal),
/// weighting its squared error in the loss. Generation: for each sample, for each feature, draw a = NextDouble() and
/// b = NextDouble() from <see cref="TaskRng"/>(seed); x = b if a &lt; p else 0.
/// </summary>
/// <param name="Features">Number of features (the model's input and output width).</param>
/// <param name="FeatureProbability">Probability that a feature is present (1 − sparsity).</param>
/// <param name="ImportanceDecay">Importance of feature i is ImportanceDecay^i.</param>
/// <param name="NTrain">Number of training samples.</param>
/// <param name="Seed">Data seed.</param>
public sealed record TmsTaskSpec(int Features, double FeatureProbability, double ImportanceDecay, int NTrain, long Seed) : TaskSpec
{
    /// <summary>The <c>type</c> value.</summary>
    public const string TypeName = "tms";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <inheritdoc />
    public override long? InputSize => Features;

    /// <inheritdoc />
    public override long? OutputSize => Features;

    /// <summary>The importance of each feature.</summary>
    public double[] Importance => [.. Enumerable.Range(0, Features).Select(i => Math.Pow(ImportanceDecay, i))];

    internal static TmsTaskSpec Read(SpecReader r)
    {
        int features = (int)r.RequireInt("features", 1, 1 << 16);
        double p = r.RequireDouble("feature_probability", 0, 1, exclusiveMin: true);
        double decay = r.OptionalDouble("importance_decay", 1.0, 0, 1, exclusiveMin: true)!.Value;
        r.OptionalString("value_distribution", "uniform", "uniform");
        r.OptionalString("loss", SquaredErrorLoss, SquaredErrorLoss);
        int n = (int)r.RequireInt("n_train", 1, 1 << 24);
        long seed = r.RequireInt("seed");
        r.RejectUnknown();
        return new TmsTaskSpec(features, p, decay, n, seed);
    }

    /// <inheritdoc />
    public override JsonObject ToJson() => new()
    {
        ["type"] = TypeName,
        ["features"] = Features,
        ["feature_probability"] = FeatureProbability,
        ["importance_decay"] = ImportanceDecay,
        ["value_distribution"] = "uniform",
        ["n_train"] = NTrain,
        ["seed"] = Seed,
        ["loss"] = SquaredErrorLoss,
    };

    /// <inheritdoc />
    public override IChainLoss CreateLoss() => new WeightedSquaredErrorLoss(Importance);

    /// <inheritdoc />
    public override TaskData LoadTraining(ScalarType dtype = ScalarType.Float32)
    {
        if (Features < 1) throw new SpecFormatException(SpecName, "features", $"expected an integer >= 1, got {Features}");
        if (!(FeatureProbability > 0 && FeatureProbability <= 1)) throw new SpecFormatException(SpecName, "feature_probability", $"expected a number > 0 and <= 1, got {FeatureProbability}");
        if (!(ImportanceDecay > 0 && ImportanceDecay <= 1)) throw new SpecFormatException(SpecName, "importance_decay", $"expected a number > 0 and <= 1, got {ImportanceDecay}");
        if (NTrain < 1) throw new SpecFormatException(SpecName, "n_train", $"expected an integer >= 1, got {NTrain}");
        var rng = new TaskRng(Seed);
        var x = new double[(long)NTrain * Features];
        for (long k = 0; k < x.Length; k++)
        {
            double a = rng.NextDouble(), b = rng.NextDouble();
            x[k] = a < FeatureProbability ? b : 0.0;
        }
        var inputs = Matrix(x, NTrain, Features, dtype);
        using var importance = tensor(Importance, ScalarType.Float64);
        return new TaskData(inputs, inputs.clone(), CreateLoss(), importance.to_type(dtype));
    }
}
