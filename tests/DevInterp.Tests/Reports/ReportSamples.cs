using System.Text.Json.Nodes;
using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Reports;
using DevInterp.Stages;
using DevInterp.Storage;

namespace DevInterp.Tests.Reports;

/// <summary>
/// A realistic analysis folder at the size of the demo runs (the dln run's 40 log-spaced checkpoints, steps 0..5000):
/// three stages with loss drops and LLC rises at steps 40 and 700, 8 chains × 1000 draws per estimate, a doubtful
/// estimate (step 97, chains disagree), an untrusted one (step 1083, two chains diverged), one without any surviving
/// chain (step 13, no traces), a failed checkpoint (3230), a checkpoint listed in analysis.json but never visited
/// (6000), a calibration grid, all-pairs similarity for two layers and two measures, and essential dynamics with
/// two flagged turns. Everything is written through <see cref="AnalysisStore"/> and consolidated.
/// </summary>
internal static class ReportSamples
{
    public static readonly long[] Steps =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 20, 25, 32, 40, 50, 62, 78, 97, 121, 151, 188, 234, 291, 363, 452, 562,
        700, 871, 1083, 1348, 1677, 2087, 2596, 3230, 4019, 5000,
    ];

    public const long FailedStep = 3230;
    public const long DoubtfulStep = 97;
    public const long UntrustedStep = 1083;
    public const long NoChainStep = 13;
    public const long NeverVisitedStep = 6000;
    public const int Chains = 8;
    public const int Draws = 1000;
    public static readonly string[] Layers = ["blocks.0.hook_resid_post", "layers.1 (α→β)"];
    public static readonly string[] Measures = ["linear_cka", "debiased_cka"];
    public static readonly long[] Boundaries = [40, 700];
    public const string FailedError = "tensor 'layers.2.weight' holds 3 NaN values (see docs/checkpoint-formats.md)";

    public static IEnumerable<long> OkSteps => Steps.Where(s => s != FailedStep);

    private static readonly Lazy<(string Folder, ReportResult Report)> SharedSample = new(() =>
    {
        string folder = Directory.CreateDirectory(Path.Combine(TestPaths.NewTempDir("devinterp-report"), "demo-dln")).FullName;
        Write(folder);
        return (folder, AnalysisReport.Write(folder));
    });

    /// <summary>
    /// One sample analysis folder with its report.html, written once per test run and shared by the report tests
    /// (writing the 320,000 trace rows takes seconds). Tests must not change it.
    /// </summary>
    public static (string Folder, ReportResult Report) Shared => SharedSample.Value;

    /// <summary>Writes the whole analysis into <paramref name="folder"/> and returns its store.</summary>
    public static AnalysisStore Write(string folder)
    {
        var store = AnalysisStore.Open(folder);
        WriteConfig(folder);
        WriteCheckpoints(store);
        WriteLlc(store);
        WriteCalibration(store);
        WriteSimilarity(store, Layers);
        WriteDynamics(store);
        WriteStages(store);
        store.Consolidate();
        return store;
    }

    public static void WriteConfig(string folder)
    {
        var checkpoints = Steps.Append(NeverVisitedStep)
            .Select(s => new CheckpointSource(s, $"step_{s:D6}.safetensors", new string((char)('a' + (int)(s % 6)), 64))).ToList();
        var config = new AnalysisConfig("demo-dln", new RunSource("checkpoints/dln", null, checkpoints),
            JsonNode.Parse("""{"type": "dln", "widths": [8, 8, 8, 8], "init_scale": 0.03}""")!.AsObject(), null,
            JsonNode.Parse("""{"type": "dln", "input_dim": 8, "output_dim": 8, "singular_values": [5, 2.5, 1.2, 0.5], "n_train": 1024, "seed": 1, "loss": "squared_error"}""")!.AsObject(),
            "float32", new LlcSettings(), new SimilaritySettings(Measures: Measures), new DynamicsSettings(), new StageSettings());
        AtomicFile.WriteAllText(Path.Combine(folder, AnalysisConfig.FileName), config.ToJson());
    }

    // A smooth step in log(step + 1) centred on each boundary: 0 before, 1 after.
    private static double Rise(long step, long at) => 1 / (1 + Math.Exp(-6 * (Math.Log(step + 1) - Math.Log(at + 1))));

    public static double Loss(long step) => 0.02 + 3.0 * (1 - Rise(step, 40)) + 0.4 * (1 - Rise(step, 700));

    public static double LlcMean(long step) => 2 + 4 * Rise(step, 40) + 6 * Rise(step, 700);

    public static void WriteCheckpoints(AnalysisStore store)
    {
        foreach (long s in Steps)
        {
            var row = s == FailedStep
                ? CheckpointRow.Failed(s, $"step_{s:D6}.safetensors", FailedError, new string('f', 64), 1_424)
                : CheckpointRow.Ok(s, $"step_{s:D6}.safetensors", new string((char)('a' + (int)(s % 6)), 64), 1_424,
                    new Dictionary<string, double>
                    {
                        ["train_loss"] = Loss(s), ["test_loss"] = Loss(s) * 1.08 + 0.004,
                        ["accuracy"] = 0.1 + 0.5 * Rise(s, 40) + 0.39 * Rise(s, 700),
                    });
            store.Write(PartKey.ForStep(s), [row]);
        }
    }

    public static void WriteLlc(AnalysisStore store)
    {
        var random = new Random(7);
        foreach (long s in OkSteps)
        {
            double mean = LlcMean(s);
            if (s == NoChainStep)
            {
                store.Write(PartKey.ForStep(s), [Llc(s, double.NaN, double.NaN, Enumerable.Repeat(double.NaN, Chains).ToArray(), 8,
                    LlcVerdict.Untrusted, "all 8 chains diverged and were dropped (non-finite loss by step 12); no chain survived")]);
                continue;
            }
            var estimates = new double[Chains];
            var traces = new List<LlcTraceRow>();
            for (int c = 0; c < Chains; c++)
            {
                bool diverged = s == UntrustedStep && (c == 2 || c == 5);
                double level = s == DoubtfulStep ? mean * (0.8 + 0.05 * c) : mean * (1 + 0.03 * (random.NextDouble() - 0.5));
                double value = level, sum = 0;
                int draws = diverged ? 340 : Draws;
                for (int d = 0; d < draws; d++)
                {
                    value = level + 0.7 * (value - level) + 0.25 * level * Gaussian(random);
                    double lambda = diverged && d >= 300 ? (d >= 330 ? double.PositiveInfinity : level * Math.Exp((d - 300) / 3.0)) : value;
                    sum += lambda;
                    double loss = 0.01 + lambda / 512.0;
                    traces.Add(new LlcTraceRow(s, c, d, loss, 0.01, 0, lambda));
                }
                estimates[c] = diverged ? double.NaN : sum / draws;
            }
            var healthy = estimates.Where(double.IsFinite).ToArray();
            double m = healthy.Average();
            double std = Math.Sqrt(healthy.Sum(e => (e - m) * (e - m)) / (healthy.Length - 1));
            var (verdict, reasons) = s switch
            {
                DoubtfulStep => (LlcVerdict.Doubtful, "R̂ 1.18 > 1.1: chains disagree"),
                UntrustedStep => (LlcVerdict.Untrusted, "2 of 8 chains diverged and were dropped: chain 2 at draw 330 (non-finite loss), chain 5 at draw 330 (non-finite loss)"),
                _ => (LlcVerdict.Trusted, ""),
            };
            store.Write(PartKey.ForStep(s), traces);
            store.Write(PartKey.ForStep(s), [Llc(s, m, std, estimates, s == UntrustedStep ? 2 : 0, verdict, reasons)]);
        }
    }

    private static LlcRow Llc(long step, double mean, double std, double[] estimates, int dropped, LlcVerdict verdict, string reasons) =>
        new(step, mean, std, estimates, Loss(step), 147.7, 3e-5, "calibrated", 0.1, 1_024, 192, 1_024, Draws, Chains,
            verdict == LlcVerdict.Doubtful ? 1.18 : double.IsFinite(mean) ? 1.004 : double.NaN, 1_890, 1_720, 0.012, 0.02, 0.01, dropped,
            verdict, reasons, SamplerKind.Sgld, 0, 4.5);

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    public static void WriteCalibration(AnalysisStore store)
    {
        double[] grid = [1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3];
        var rows = new List<CalibrationRow>();
        foreach (double nbeta in new[] { 147.7, 295.4 })
        {
            foreach (double eps in grid)
            {
                bool diverged = eps >= 1e-3;
                double mean = diverged ? double.NaN : 12 * (nbeta > 200 ? 1.04 : 1) + (eps >= 3e-4 ? 9 : eps >= 1e-4 ? 1.5 : 0) + eps * 1e4 * 0.1;
                bool passing = !diverged && eps < 3e-4;
                rows.Add(new CalibrationRow(5000, eps, nbeta, 0.1, mean, diverged ? double.NaN : 0.4 + eps * 1e3, diverged ? double.NaN : passing ? 1.01 : 1.25,
                    diverged ? double.NaN : passing ? 0.02 : 0.3, passing ? LlcVerdict.Trusted : diverged ? LlcVerdict.Untrusted : LlcVerdict.Doubtful,
                    diverged, passing, passing && eps <= 3e-5, eps == 3e-5 && nbeta < 200));
            }
        }
        store.Write(PartKey.ForStep(5000), rows);
    }

    public static double Similarity(string layer, string measure, long a, long b)
    {
        int stage(long s) => Boundaries.Count(x => s >= x);
        double distance = Math.Abs(Math.Log(a + 1) - Math.Log(b + 1));
        double within = stage(a) == stage(b) ? 0.97 : 0.55 + 0.1 * Math.Min(stage(a), stage(b));
        double layerShift = Array.IndexOf(Layers, layer) * 0.04;
        double measureShift = measure == "debiased_cka" ? -0.05 : 0;
        return Math.Clamp(within - 0.03 * distance - layerShift + measureShift, 0, 1);
    }

    public static void WriteSimilarity(AnalysisStore store, IReadOnlyList<string> layers)
    {
        var ok = OkSteps.ToArray();
        for (int i = 0; i < ok.Length; i++)
        {
            var rows = new List<SimilarityRow>();
            for (int j = i; j < ok.Length; j++)
            {
                foreach (string layer in layers)
                {
                    foreach (string measure in Measures)
                    {
                        // One undefined value, as a constant representation gives.
                        double v = ok[i] == 0 && ok[j] == 1 && measure == "debiased_cka" ? double.NaN : Similarity(layer, measure, ok[i], ok[j]);
                        rows.Add(new SimilarityRow(layer, measure, ok[i], ok[j], i == j ? 1.0 : v));
                    }
                }
            }
            store.Write(PartKey.ForStep(ok[i]), rows);
        }
    }

    public static void WriteDynamics(AnalysisStore store)
    {
        var ok = OkSteps.ToArray();
        var raw = ok.Select(s =>
        {
            double t0 = Math.Min(Math.Log(s + 1), Math.Log(41)), t1 = Math.Clamp(Math.Log(s + 1) - Math.Log(41), 0, Math.Log(701) - Math.Log(41)),
                t2 = Math.Max(0, Math.Log(s + 1) - Math.Log(701));
            // Right during stage 0, up during stage 1, back left during stage 2: two sharp turns.
            return (X: 2 * t0 - 1.5 * t2 + 0.05 * Math.Sin(7 * s), Y: 2.2 * t1 + 0.4 * t2 + 0.05 * Math.Cos(5 * s));
        }).ToArray();
        var smooth = raw.Select((p, i) =>
        {
            var window = raw.Skip(Math.Max(0, i - 1)).Take(i == 0 ? 2 : 3).ToArray();
            return (X: window.Average(q => q.X), Y: window.Average(q => q.Y));
        }).ToArray();
        var coordinates = new List<DynamicsCoordinateRow>();
        for (int i = 0; i < ok.Length; i++)
        {
            coordinates.Add(new(TrajectoryKind.Raw, ok[i], 1, raw[i].X));
            coordinates.Add(new(TrajectoryKind.Raw, ok[i], 2, raw[i].Y));
            coordinates.Add(new(TrajectoryKind.Raw, ok[i], 3, 0.1 * Math.Sin(ok[i])));
            coordinates.Add(new(TrajectoryKind.Smoothed, ok[i], 1, smooth[i].X));
            coordinates.Add(new(TrajectoryKind.Smoothed, ok[i], 2, smooth[i].Y));
            coordinates.Add(new(TrajectoryKind.Smoothed, ok[i], 3, 0.05 * Math.Sin(ok[i])));
        }
        store.Write(PartKey.Whole, coordinates);
        store.Write(PartKey.Whole, [new DynamicsVarianceRow(1, 2.1, 0.71), new DynamicsVarianceRow(2, 0.65, 0.22), new DynamicsVarianceRow(3, 0.15, 0.05)]);
        var curvature = new List<DynamicsCurvatureRow>();
        for (int i = 1; i < ok.Length - 1; i++)
        {
            var (a, b, c) = (smooth[i - 1], smooth[i], smooth[i + 1]);
            double turn = Math.Atan2(c.Y - b.Y, c.X - b.X) - Math.Atan2(b.Y - a.Y, b.X - a.X);
            turn = Math.Atan2(Math.Sin(turn), Math.Cos(turn)) * 180 / Math.PI;
            string? reason = ok[i] == 40 ? "curvature_peak" : ok[i] == 700 ? "curvature_peak,direction_reversal" : null;
            double kappa = turn / 60.0;
            curvature.Add(new DynamicsCurvatureRow(ok[i], kappa, turn, kappa == 0 ? double.PositiveInfinity : 1 / Math.Abs(kappa),
                kappa == 0 ? double.NaN : b.X, kappa == 0 ? double.NaN : b.Y + 1 / kappa, reason is not null, reason));
        }
        store.Write(PartKey.Whole, curvature);
    }

    public static void WriteStages(AnalysisStore store) => store.Write(PartKey.Whole,
    [
        new StageSummaryRow(0, 0, 40, StageTrend.Rising, LlcMean(40) - LlcMean(0), Loss(40) - Loss(0), [], null),
        new StageSummaryRow(1, 40, 700, StageTrend.Rising, LlcMean(700) - LlcMean(40), Loss(700) - Loss(40), ["llc", "loss", "similarity"], 0.92),
        new StageSummaryRow(2, 700, 5000, StageTrend.Flat, LlcMean(5000) - LlcMean(700), Loss(5000) - Loss(700), ["loss", "essential_dynamics"], 0.71),
    ]);
}
