using System.Text.Json.Nodes;
using DevInterp.Models;
using static TorchSharp.torch;

namespace DevInterp.Training;

/// <summary>
/// How to train: the <c>training</c> object of a run manifest. JSON fields: <c>steps</c>, <c>optimizer</c> (sgd|adam|adamw),
/// <c>lr</c>, <c>momentum</c> (sgd), <c>betas</c> (adam, adamw: [b1, b2]), <c>weight_decay</c>, <c>batch_size</c> (absent or
/// null = full batch), <c>seed</c>, <c>schedule</c> (<see cref="CheckpointSchedule"/>), <c>dtype</c> (float32|float64),
/// <c>loss_curve_points</c>.
/// </summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="Optimizer">sgd, adam, or adamw (Adam with decoupled weight decay, Loshchilov &amp; Hutter 2019).</param>
/// <param name="LearningRate">Learning rate.</param>
/// <param name="Momentum">SGD momentum.</param>
/// <param name="Beta1">Adam(W) β1.</param>
/// <param name="Beta2">Adam(W) β2.</param>
/// <param name="WeightDecay">
/// Weight decay: an L2 term added to the gradient for sgd and adam; for adamw a decoupled shrink w ← w − lr·wd·w each
/// step, outside the adaptive scaling (as torch.optim.AdamW).
/// </param>
/// <param name="BatchSize">Minibatch size (sampled without replacement each step), or null for full-batch gradient descent.</param>
/// <param name="Seed">Seed of the initialisation, the minibatch sampler and torch's global generator.</param>
/// <param name="Schedule">Checkpoint steps.</param>
/// <param name="DType">float32 or float64 (parameters, data and checkpoint files).</param>
/// <param name="LossCurvePoints">Log-spaced steps at which the full training loss is recorded in loss_curve.csv (checkpoint steps are always included).</param>
public sealed record TrainingSettings(
    long Steps,
    string Optimizer = "sgd",
    double LearningRate = 0.01,
    double Momentum = 0.0,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double WeightDecay = 0.0,
    int? BatchSize = null,
    long Seed = 0,
    CheckpointSchedule? Schedule = null,
    string DType = "float32",
    int LossCurvePoints = 200)
{
    internal const string SpecName = "training settings";

    /// <summary>The optimizer names.</summary>
    public static readonly string[] Optimizers = ["sgd", "adam", "adamw"];

    /// <summary>The schedule, defaulting to 30 log-spaced checkpoints.</summary>
    public CheckpointSchedule EffectiveSchedule => Schedule ?? CheckpointSchedule.LogSpaced(30);

    /// <summary>The TorchSharp dtype.</summary>
    public ScalarType ScalarType => DType == "float64" ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Reads the JSON form.</summary>
    public static TrainingSettings Parse(JsonObject json)
    {
        var r = new SpecReader(json, SpecName);
        long steps = r.RequireInt("steps", 0, 1L << 40);
        string optimizer = r.OptionalString("optimizer", "sgd", Optimizers)!;
        double lr = r.RequireDouble("lr", 0, exclusiveMin: true);
        double momentum = r.OptionalDouble("momentum", 0.0, 0, 1)!.Value;
        double beta1 = 0.9, beta2 = 0.999;
        if (r.Has("betas"))
        {
            var betas = r.OptionalDoubleArray("betas", 2, 0, exclusiveMin: false)!;
            if (betas.Count != 2 || betas.Any(b => b >= 1)) throw r.Error("betas", "expected [beta1, beta2], each >= 0 and < 1");
            (beta1, beta2) = (betas[0], betas[1]);
        }
        double wd = r.OptionalDouble("weight_decay", 0.0, 0)!.Value;
        int? batch = r.Has("batch_size") ? (int)r.RequireInt("batch_size", 1, int.MaxValue) : null;
        long seed = r.OptionalInt("seed", 0)!.Value;
        var schedule = r.OptionalObject("schedule") is { } s ? CheckpointSchedule.Read(s) : CheckpointSchedule.LogSpaced(30);
        string dtype = r.OptionalString("dtype", "float32", "float32", "float64")!;
        int points = (int)r.OptionalInt("loss_curve_points", 200, 0, 100_000)!.Value;
        r.RejectUnknown();
        return new TrainingSettings(steps, optimizer, lr, momentum, beta1, beta2, wd, batch, seed, schedule, dtype, points);
    }

    /// <summary>The JSON form (every field written).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["steps"] = Steps,
            ["optimizer"] = Optimizer,
            ["lr"] = LearningRate,
        };
        if (Optimizer == "sgd") json["momentum"] = Momentum;
        else json["betas"] = new JsonArray(Beta1, Beta2);
        json["weight_decay"] = WeightDecay;
        if (BatchSize is { } b) json["batch_size"] = b;
        json["seed"] = Seed;
        json["schedule"] = EffectiveSchedule.ToJson();
        json["dtype"] = DType;
        json["loss_curve_points"] = LossCurvePoints;
        return json;
    }

    internal void Validate()
    {
        if (Steps < 0) throw new SpecFormatException(SpecName, "steps", $"expected an integer >= 0, got {Steps}");
        if (!Optimizers.Contains(Optimizer)) throw new SpecFormatException(SpecName, "optimizer", $"'{Optimizer}' is not one of {string.Join(", ", Optimizers)}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new SpecFormatException(SpecName, "lr", $"expected a finite number > 0, got {LearningRate}");
        if (BatchSize is < 1) throw new SpecFormatException(SpecName, "batch_size", $"expected an integer >= 1, got {BatchSize}");
        if (DType is not ("float32" or "float64")) throw new SpecFormatException(SpecName, "dtype", $"'{DType}' is not one of float32, float64");
        EffectiveSchedule.Resolve(Steps);
    }
}
