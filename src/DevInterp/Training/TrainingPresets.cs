using DevInterp.Models;
using DevInterp.Tasks;

namespace DevInterp.Training;

/// <summary>
/// The demo runs shipped under checkpoints/ (docs/demo-runs.md shows what each one does): <c>grok</c>, a one-hidden-layer
/// MLP that memorises modular addition and then generalises (grokking); <c>tms</c>, the toy model of superposition with
/// 6 features in 2 dimensions; and <c>dln</c>, a deep linear network learning a rank-4 teacher one singular value at a
/// time.
/// </summary>
public static class TrainingPresets
{
    /// <summary>Preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["grok", "tms", "dln"];

    /// <summary>The named preset.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the presets).</exception>
    public static TrainingConfig Get(string name) => name switch
    {
        "grok" => Grok,
        "tms" => Tms,
        "dln" => Dln,
        _ => throw new ArgumentException($"unknown preset '{name}' (presets: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>
    /// Grokking: (a + b) mod 29 from one-hot a and b (58 inputs), 60% of the 841 pairs for training (504), a GELU MLP
    /// 58 → 112 → 29 (9,885 parameters), full-batch AdamW (lr 0.003, betas 0.9/0.98, decoupled weight decay 1), 5000
    /// steps. The training set is memorised within ~200 steps while test accuracy stays near zero; a few hundred steps
    /// later the generalising circuit forms, test accuracy climbs past 0.9, and weight decay cleans the memorising
    /// weights up (weight norm peaks, then falls) until the run settles. 112 checkpoints, even in log(300 + step):
    /// about every 8 steps at the start, every 170 at the end.
    /// </summary>
    public static TrainingConfig Grok { get; } = new(
        "grok",
        new MlpSpec([58, 112, 29], Activation: "gelu"),
        new ModularTaskSpec(P: 29, ModularOperation.Add, TrainFraction: 0.6, Seed: 0),
        new TrainingSettings(Steps: 5000, Optimizer: "adamw", LearningRate: 0.003, Beta2: 0.98, WeightDecay: 1.0, Seed: 0,
            Schedule: CheckpointSchedule.LogSpaced(112, offset: 300)));

    /// <summary>
    /// Toy model of superposition: 6 features (each present with probability 0.1, equal importance) in 2 hidden
    /// dimensions, W started small (N(0, 0.01²)), Adam at lr 0.001, full batch over 2048 samples, 4000 steps. The
    /// embedding grows out of the origin into a paired arrangement, then a square (4-gon, loss plateau near 0.063) and
    /// finally a regular pentagon (5-gon, one feature dropped, loss 0.054).
    /// </summary>
    public static TrainingConfig Tms { get; } = new(
        "tms",
        new TmsSpec(Features: 6, Hidden: 2, InitScale: 0.01),
        new TmsTaskSpec(Features: 6, FeatureProbability: 0.1, ImportanceDecay: 1.0, NTrain: 2048, Seed: 3),
        new TrainingSettings(Steps: 4000, Optimizer: "adam", LearningRate: 0.001, Seed: 3, Schedule: CheckpointSchedule.LogSpaced(40)));

    /// <summary>
    /// Deep linear network 8→8→8→8 (depth 3, no biases) from a small initialisation (N(0, 0.03²) entries) learning a
    /// rank-4 teacher with singular values 5, 2.5, 1.2, 0.5 from 1024 Gaussian inputs, full-batch SGD at lr 0.01 for
    /// 5000 steps: the singular values are learned one at a time, largest first, with loss plateaus in between.
    /// </summary>
    public static TrainingConfig Dln { get; } = new(
        "dln",
        new DlnSpec([8, 8, 8, 8], InitScale: 0.03),
        new DlnTaskSpec(InputDim: 8, OutputDim: 8, SingularValues: [5.0, 2.5, 1.2, 0.5], Noise: 0.0, NTrain: 1024, Seed: 1),
        new TrainingSettings(Steps: 5000, Optimizer: "sgd", LearningRate: 0.01, Seed: 1, Schedule: CheckpointSchedule.LogSpaced(40)));
}
