using DevInterp.Activations;
using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Similarity.Steps;
using DevInterp.Storage;
using DevInterp.Tasks;

namespace DevInterp.Tests.Analysis;

/// <summary>Similarity over the shipped runs: the tidy table, its values, resumption, and failing checkpoints.</summary>
public class SimilarityRunAnalysisTests
{
    [Fact]
    public void DlnTableIsTheFullSymmetricMatrixPerLayerAndMeasureWithUnitDiagonal()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        var inputs = AnalysisFixtures.Prepare(folder, AnalysisFixtures.ShippedRun("dln"));

        var result = SimilarityRunAnalysis.Run(folder, inputs);

        var steps = inputs.Run.Checkpoints.Select(c => c.Step).ToArray();
        Assert.Equal(steps, result.Steps);
        Assert.Equal(["layers.0", "layers.1", "layers.2"], result.Layers);
        Assert.Equal(["linear_cka", "debiased_cka"], result.Measures);
        Assert.Empty(result.Failed);
        Assert.Equal(6, result.PartsComputed);
        var store = AnalysisStore.Open(folder);
        Assert.Equal(TableState.Consolidated, store.State("similarity"));
        var rows = store.Read<SimilarityRow>();
        Assert.Equal(3 * 2 * steps.Length * steps.Length, rows.Count);
        var value = rows.ToDictionary(r => (r.Layer, r.Measure, r.StepA, r.StepB), r => r.Value);
        foreach (var layer in result.Layers)
            foreach (var measure in result.Measures)
            {
                Assert.True(store.HasPart<SimilarityRow>(SimilarityPartKey.For(layer, measure)));
                foreach (long a in steps)
                {
                    Assert.Equal(1.0, value[(layer, measure, a, a)], 12);
                    foreach (long b in steps)
                    {
                        double v = value[(layer, measure, a, b)];
                        Assert.Equal(v, value[(layer, measure, b, a)]); // exactly symmetric
                        Assert.True(double.IsFinite(v) && v <= 1 + 1e-12, $"{layer} {measure} ({a}, {b}) = {v}");
                    }
                }
            }
        // Every checkpoint was recorded as ok, with the run source's hash and the manifest's metrics.
        var checkpoints = store.Read<CheckpointRow>();
        Assert.Equal(steps, checkpoints.Select(c => c.Step));
        Assert.All(checkpoints, c => Assert.Equal(CheckpointStatus.Ok, c.Status));
        Assert.Equal(inputs.Config.Run.Checkpoints.Select(c => c.Sha256), checkpoints.Select(c => c.Sha256));
        Assert.Equal(30.75, checkpoints[0].Metrics["train_loss"], 2);
    }

    [Fact]
    public void ValuesEqualAStepEngineFedDirectlyByTheRunStream()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        string runDir = AnalysisFixtures.ShippedRun("dln");
        var inputs = AnalysisFixtures.Prepare(folder, runDir, c => c with { Similarity = c.Similarity with { ProbeCount = 100, ProbeSeed = 7 } });
        SimilarityRunAnalysis.Run(folder, inputs);
        var stored = SimilarityMatrices.Read(AnalysisStore.Open(folder)).ToDictionary(m => (m.Layer, m.Measure));

        // Independently: the task's inputs, the same draw, every checkpoint streamed into one accumulator per layer.
        var run = Run.Open(runDir);
        using var task = TaskSpec.Parse(run.Manifest!.Task!).LoadTraining();
        using var probe = ProbeBatch.Sample(task.Inputs, 100, 7);
        var perLayer = new Dictionary<string, StepSimilarityAccumulator>();
        RunActivations.Stream(run, probe, (step, layer, activations) =>
            (perLayer.TryGetValue(layer, out var a) ? a : perLayer[layer] = new StepSimilarityAccumulator()).Add(step, activations));

        foreach (var (layer, accumulator) in perLayer)
        {
            var expected = accumulator.Result();
            foreach (var (measure, matrix) in new[] { ("linear_cka", expected.LinearCka), ("debiased_cka", expected.DebiasedCka!) })
            {
                var got = stored[(layer, measure)].Matrix;
                Assert.Equal(matrix.Steps, got.Steps);
                for (int i = 0; i < matrix.Steps.Count; i++)
                    for (int j = 0; j < matrix.Steps.Count; j++)
                        Assert.Equal(matrix.Values[i, j], got.Values[i, j], 12);
            }
        }
        // The derived curves are the matrix's superdiagonal and last column.
        var last = stored[("layers.2", "linear_cka")];
        var adjacent = last.Matrix.Adjacent();
        Assert.Equal(run.Checkpoints.Count - 1, adjacent.Values.Count);
        Assert.Equal(last.Matrix.Values[20, 21], adjacent.Values[20]);
        Assert.Equal(1 - last.Matrix.Values[20, 21], last.AdjacentChange().Values[20]);
        Assert.Equal(last.Matrix.Values[3, run.Checkpoints.Count - 1], last.Matrix.ToFinal().Values[3]);
    }

    [Fact]
    public void PairwiseMeasuresAreSymmetricWithTheirIdentityOnTheDiagonal()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        var inputs = AnalysisFixtures.Prepare(folder, AnalysisFixtures.ShippedRun("tms"), c => c with
        {
            Similarity = c.Similarity with { ProbeCount = 48, Measures = ["linear_cka", "rbf_cka", "procrustes", "pwcca"] },
        });

        var result = SimilarityRunAnalysis.Run(folder, inputs);

        Assert.Equal(["hook_hidden"], result.Layers);
        var matrices = SimilarityMatrices.Read(AnalysisStore.Open(folder)).ToDictionary(m => m.Measure, m => m.Matrix);
        Assert.Equal(["linear_cka", "pwcca", "procrustes", "rbf_cka"], matrices.Keys.Order(StringComparer.Ordinal));
        foreach (var (measure, m) in matrices)
        {
            int t = m.Steps.Count;
            Assert.Equal(40, t);
            for (int i = 0; i < t; i++)
            {
                Assert.Equal(measure == "procrustes" ? 0.0 : 1.0, m.Values[i, i], 6);
                for (int j = 0; j < t; j++) Assert.Equal(m.Values[i, j], m.Values[j, i]);
            }
        }
        // Procrustes is a distance: the largest change between checkpoints is the value itself, not 1 − value.
        var procrustes = result.Summaries.Single(s => s.Measure == "procrustes");
        Assert.True(procrustes.LargestAdjacentChange > 0);
        Assert.Equal(procrustes.LargestAdjacentChange, matrices["procrustes"].Adjacent().Values.Max());
    }

    [Fact]
    public void CancelledHalfwayThenRerunGivesTheSameTablesAsOneRun()
    {
        string run = AnalysisFixtures.ShippedRun("dln");
        string whole = AnalysisFixtures.NewAnalysisFolder();
        SimilarityRunAnalysis.Run(whole, AnalysisFixtures.Prepare(whole, run));

        string resumed = AnalysisFixtures.NewAnalysisFolder();
        var inputs = AnalysisFixtures.Prepare(resumed, run);
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<RunAnalysisProgress>(p => { if (p.Phase == "capture" && p.Done == 15) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => SimilarityRunAnalysis.Run(resumed, inputs, progress, cancel.Token));
        Assert.Equal(15, Directory.GetFiles(AnalysisPaths.ActivationFolder(resumed), "*.safetensors").Length);
        Assert.Equal(15, AnalysisStore.Open(resumed).Parts("checkpoints").Count);
        Assert.Equal(TableState.Absent, AnalysisStore.Open(resumed).State("similarity"));

        var again = SimilarityRunAnalysis.Run(resumed, inputs);

        Assert.Equal(15, again.Cache.Reused);
        Assert.Equal(25, again.Cache.Captured);
        Assert.Equal(AnalysisStoreDump.ToJson(AnalysisStore.Open(whole)), AnalysisStoreDump.ToJson(AnalysisStore.Open(resumed)));
    }

    [Fact]
    public void DeletedPartsAndCacheFilesAreRecomputedToTheSameTables()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        var inputs = AnalysisFixtures.Prepare(folder, AnalysisFixtures.ShippedRun("dln"));
        SimilarityRunAnalysis.Run(folder, inputs);
        var store = AnalysisStore.Open(folder);
        string before = AnalysisStoreDump.ToJson(store);

        File.Delete(store.Parts("similarity").Single(p => p.Key == SimilarityPartKey.For("layers.1", "debiased_cka")).Path);
        File.Delete(store.Parts("similarity").Single(p => p.Key == SimilarityPartKey.For("layers.2", "linear_cka")).Path);
        foreach (long step in new long[] { 0, 151, 5000 }) File.Delete(AnalysisPaths.Activations(folder, step));
        var rerun = SimilarityRunAnalysis.Run(folder, inputs);

        Assert.Equal(3, rerun.Cache.Captured);
        Assert.Equal(37, rerun.Cache.Reused);
        Assert.Equal(2, rerun.PartsComputed);
        Assert.Equal(4, rerun.PartsKept);
        Assert.Equal(before, AnalysisStoreDump.ToJson(AnalysisStore.Open(folder)));
    }

    [Fact]
    public void ChangedLayersRecaptureAndDroppedMeasuresLeaveTheTable()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        string run = AnalysisFixtures.ShippedRun("dln");
        var first = SimilarityRunAnalysis.Run(folder, AnalysisFixtures.Prepare(folder, run, c => c with
        {
            Similarity = c.Similarity with { Layers = "layers.0", Measures = ["linear_cka", "debiased_cka"] },
        }));
        Assert.Equal(["layers.0"], first.Layers);

        // All layers now: the cached files hold only layers.0, so every checkpoint is captured again; the layers.0
        // linear CKA part still covers the same checkpoints and is kept, the debiased parts go with the measure.
        var second = SimilarityRunAnalysis.Run(folder, AnalysisFixtures.Prepare(folder, run, c => c with
        {
            Similarity = c.Similarity with { Layers = null, Measures = ["linear_cka"] },
        }));

        Assert.Equal(40, second.Cache.Captured);
        Assert.Equal(1, second.PartsKept);
        Assert.Equal(2, second.PartsComputed);
        var store = AnalysisStore.Open(folder);
        Assert.Equal(["linear_cka"], store.Read<SimilarityRow>().Select(r => r.Measure).Distinct());
        Assert.Equal(["layers.0", "layers.1", "layers.2"], store.Read<SimilarityRow>().Select(r => r.Layer).Distinct());
        Assert.Equal(3, store.Parts("similarity").Count);
    }

    [Fact]
    public void ACorruptCheckpointIsRecordedAndTheRestAreCompared()
    {
        string run = AnalysisFixtures.CopyOfRun("dln");
        string bad = Path.Combine(run, "step_000151.safetensors");
        File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..200]);
        string folder = AnalysisFixtures.NewAnalysisFolder();
        var inputs = AnalysisFixtures.Prepare(folder, run);

        var result = SimilarityRunAnalysis.Run(folder, inputs);

        var failed = Assert.Single(result.Failed);
        Assert.Equal(151, failed.Step);
        Assert.Equal("step_000151.safetensors", failed.File);
        Assert.DoesNotContain(151L, result.Steps);
        Assert.Equal(39, result.Steps.Count);
        var store = AnalysisStore.Open(folder);
        var row = store.Read<CheckpointRow>().Single(c => c.Step == 151);
        Assert.Equal(CheckpointStatus.Failed, row.Status);
        Assert.Equal(failed.Reason, row.Error);
        Assert.Equal(RunSource.Hash(bad), row.Sha256);
        Assert.Equal(200, row.SizeBytes);
        Assert.Equal(8.062, row.Metrics["train_loss"], 3); // the manifest's metric, although the file is unreadable
        Assert.Equal(39 * 39 * 6, store.Read<SimilarityRow>().Count);
        Assert.False(File.Exists(AnalysisPaths.Activations(folder, 151)));

        // A rerun tries the failed checkpoint again (and fails again), reusing the rest.
        var rerun = SimilarityRunAnalysis.Run(folder, inputs);
        Assert.Equal(39, rerun.Cache.Reused);
        Assert.Equal(6, rerun.PartsKept);
        Assert.Single(rerun.Failed);
    }

    [Fact]
    public void ChangedProbeSettingsAreAnErrorNamingTheSetting()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        string run = AnalysisFixtures.ShippedRun("tms");
        SimilarityRunAnalysis.Run(folder, AnalysisFixtures.Prepare(folder, run, c => c with { Similarity = c.Similarity with { ProbeCount = 32 } }));

        var seed = AnalysisFixtures.Prepare(folder, run, c => c with { Similarity = c.Similarity with { ProbeCount = 32, ProbeSeed = 5 } });
        var e = Assert.Throws<RunFormatException>(() => SimilarityRunAnalysis.Run(folder, seed));
        Assert.Contains("similarity.probe_seed changed since the cached activations were captured (0 → 5)", e.Message);
        Assert.Contains("probe.safetensors", e.Message);

        var count = AnalysisFixtures.Prepare(folder, run, c => c with { Similarity = c.Similarity with { ProbeCount = 64, ProbeSeed = 0 } });
        e = Assert.Throws<RunFormatException>(() => SimilarityRunAnalysis.Run(folder, count));
        Assert.Contains("similarity.probe_count changed since the cached activations were captured (32 → 64)", e.Message);
    }

    [Fact]
    public void UnknownMeasuresAreRefusedBeforeAnythingIsWritten()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        var inputs = AnalysisFixtures.Prepare(folder, AnalysisFixtures.ShippedRun("tms"), c => c with
        {
            Similarity = c.Similarity with { Measures = ["linear_cka", "cosine"] },
        });
        var e = Assert.Throws<ArgumentException>(() => SimilarityRunAnalysis.Run(folder, inputs));
        Assert.Contains("similarity.measures: unknown measure 'cosine' (known: linear_cka, debiased_cka, rbf_cka", e.Message);
        Assert.False(Directory.Exists(AnalysisPaths.Cache(folder)));
    }

    [Fact]
    public void PartKeysAreValidAndDistinctForAnyLayerName()
    {
        string[] layers = ["h.0.attn", "h.0-attn", "h.0_attn", "blocks/0/attn", "блок.0", "a,b", new string('x', 120), new string('x', 121)];
        var keys = layers.Select(l => SimilarityPartKey.For(l, "linear_cka")).ToList();
        Assert.All(keys, k => Assert.True(PartKey.IsValid(k), k));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal("linear_cka.h.0.attn", keys[0]);
    }
}
