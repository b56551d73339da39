using DevInterp.Llc;
using DevInterp.Stages;
using DevInterp.Storage;

namespace DevInterp.Tests.Storage;

/// <summary>
/// Realistic rows for every table, with the awkward values a real analysis produces: NaN (undefined R̂, dropped chains),
/// ±∞ (radius of a straight stretch), −0, nulls (failed checkpoints, the first stage), empty lists, int64 above 2^53,
/// and non-ASCII layer names.
/// </summary>
internal static class StoreSamples
{
    public const long BigSeed = 9_007_199_254_740_993; // 2^53 + 1: not representable as a double

    public static readonly CheckpointRow[] Checkpoints =
    [
        CheckpointRow.Ok(0, "step_0.safetensors", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 4_203_520,
            new Dictionary<string, double> { ["train_loss"] = 2.302585092994046, ["test_loss"] = 2.3031 }),
        CheckpointRow.Ok(100, "step_100.safetensors", "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", 4_203_520,
            new Dictionary<string, double> { ["train_loss"] = 0.41, ["test_loss"] = 0.52, ["accuracy"] = 0.875 }),
        CheckpointRow.Failed(1000, "step_1000.safetensors", "tensor 'fc1.weight' is float16, expected float32 (see docs/checkpoint-formats.md)"),
        CheckpointRow.Ok(10000, "ckpt/step_10000", "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13", 12_884_901_888,
            new Dictionary<string, double> { ["Test/Acc"] = 0.99, ["train_loss"] = double.NaN }),
    ];

    public static readonly LlcRow[] Llc =
    [
        new(0, 41.25, 0.75, [40.5, 41.9, 41.1, 41.5], 2.3021, 1_234.5, 1e-4, "calibrated", 100, 5_000, 4_432, 256, 1_000, 4,
            1.004, 1_890.4, 1_722.1, 0.012, 0.031, 0.0, 0, LlcVerdict.Trusted, "", SamplerKind.Mala, BigSeed, 12.5, 0.573, 1.02, 2.91, 0.97),
        new(100, 63.8, double.NaN, [double.NaN, 63.8, double.NaN, double.NaN], 0.4099, 1_234.5, 3e-4, "given", 100, 5_000, 4_432, 5_000,
            1_000, 4, double.NaN, 212.0, 190.5, -0.0, 0.25, 0.41, 3, LlcVerdict.Untrusted,
            "3 of 4 chains diverged and were dropped: chain 0 at step 17 (non-finite loss), chain 2 at step 40 (loss blow-up), chain 3 at step 41 (loss blow-up); fewer than 2 healthy chains: R̂ and the spread cannot be assessed",
            SamplerKind.RmspropSgld, 7, 30.25),
        new(10000, double.NaN, double.NaN, [], 0.0123, 1_234.5, 1e-4, "given", 100, 5_000, 4_432, 256, 0, 0,
            double.NaN, 0, 0, double.NaN, double.NaN, double.NaN, 0, LlcVerdict.Untrusted, "no chain survived", SamplerKind.Sgnht, -3, 0.5),
    ];

    public static readonly LlcTraceRow[] Traces =
    [
        new(100, 0, 0, 0.52, 0.41, 0.0, 135.795, 1),
        new(100, 0, 1, double.PositiveInfinity, 0.41, 0.0, double.PositiveInfinity, 0.25),
        new(100, 1, 0, 0.43, 0.41, 0.001, 23.4),
        new(100, 1, 1, 0.4, 0.41, -0.002, -9.876),
        new(0, 0, 0, 2.31, 2.30, 1e-300, 12.345),
    ];

    public static readonly CalibrationRow[] Calibration =
    [
        new(100, 1e-5, 1_234.5, 100, 60.1, 1.2, 1.001, 0.01, LlcVerdict.Trusted, false, true, true, false),
        new(100, 1e-4, 1_234.5, 100, 62.9, 1.4, 1.02, 0.03, LlcVerdict.Trusted, false, true, true, true, 0.61, 0.4, 0.98, 1.1),
        new(100, 1e-3, 1_234.5, 100, 80.2, 9.5, 1.21, 0.31, LlcVerdict.Doubtful, false, false, false, false, 0.12, 3.3, 1.4, 2.2,
            "R̂ 1.21 > 1.1; disagrees with λ̂ = 62.9 ± 0.4 at ε = 0.0001"),
        new(100, 1e-2, 1_234.5, 100, double.NaN, double.NaN, double.NaN, double.NaN, LlcVerdict.Untrusted, true, false, false, false),
        new(100, 1e-4, 2_469, 100, 58.0, 1.1, 1.01, 0.02, LlcVerdict.Trusted, false, true, true, false),
    ];

    public static readonly LlcSettingRow[] Setting =
    [
        new("", "run", 7.7e-5, 1000, 4, 200, 716, 3000, true, "γ = 1E+03 is the weakest localization … «ε» 🙂", "166, 977, 5000", 52.0, 555.6),
        new("shard1of2", "run_fallback", 1e-6, 10000, 4, 100, 100, 100, false, "", "", 0, double.NaN),
    ];

    public static readonly string[] Layers = ["blocks.0.hook_resid_post", "층/레이어 1 — α→β", "emb 🙂"];

    public static SimilarityRow[] SimilarityFor(long stepA, long stepB) =>
    [
        .. Layers.SelectMany((layer, i) => new[]
        {
            new SimilarityRow(layer, "linear_cka", stepA, stepB, 1.0 - 0.1 * i - stepA * 1e-5),
            new SimilarityRow(layer, "cca", stepA, stepB, i == 2 ? double.NaN : 0.5 + 0.01 * i),
        }),
    ];

    public static readonly (long A, long B)[] Pairs = [(0, 100), (100, 10000)];

    public static readonly DynamicsCoordinateRow[] Coordinates =
    [
        .. new long[] { 0, 100, 10000 }.SelectMany((step, t) => new[]
        {
            new DynamicsCoordinateRow(TrajectoryKind.Raw, step, 1, -3.5 + 3 * t),
            new DynamicsCoordinateRow(TrajectoryKind.Raw, step, 2, t == 1 ? 2.25 : -1.125),
            new DynamicsCoordinateRow(TrajectoryKind.Smoothed, step, 1, -3.0 + 2.5 * t),
            new DynamicsCoordinateRow(TrajectoryKind.Smoothed, step, 2, t == 1 ? 1.5 : -0.75),
        }),
    ];

    public static readonly DynamicsVarianceRow[] Variance = [new(1, 9.0625, 0.8125), new(2, 2.1, 0.1883)];

    public static readonly DynamicsCurvatureRow[] Curvature =
    [
        new(100, -0.4, -126.87, 2.5, -0.5, 0.0, true, "curvature_peak,direction_reversal"),
        new(1000, 0.0, 0.0, double.PositiveInfinity, double.NaN, double.NaN, false, null),
    ];

    public static readonly StageSummaryRow[] Stages =
    [
        new(0, 0, 100, StageTrend.Rising, 22.55, -1.89, [], null),
        new(1, 100, 1000, null, null, -0.02, ["llc", "sim.층/레이어 1"], 1.0),
        new(2, 1000, 10000, StageTrend.Flat, 0.0, null, ["loss"], 0.5),
    ];

    /// <summary>Writes every sample, one part per unit as the analyses will.</summary>
    public static void WriteAll(AnalysisStore store)
    {
        foreach (var c in Checkpoints) store.Write(PartKey.ForStep(c.Step), [c]);
        foreach (var r in Llc) store.Write(PartKey.ForStep(r.Step), [r]);
        foreach (var g in Traces.GroupBy(t => t.Step)) store.Write(PartKey.ForStep(g.Key), g.Reverse());
        store.Write(PartKey.ForStep(100), Calibration);
        store.Write(PartKey.Whole, Setting);
        foreach (var (a, b) in Pairs) store.Write(PartKey.ForStepPair(a, b), SimilarityFor(a, b));
        store.Write(PartKey.Whole, Coordinates.Reverse());
        store.Write(PartKey.Whole, Variance);
        store.Write(PartKey.Whole, Curvature);
        store.Write(PartKey.Whole, Stages);
    }
}
