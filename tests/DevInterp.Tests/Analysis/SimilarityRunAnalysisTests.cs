using DevInterp.Activations;
using DevInterp.Analysis;
using DevInterp.Runs;
using DevInterp.Similarity.Steps;
using DevInterp.Storage;
using DevInterp.Tasks;

namespace DevInterp.Tests.Analysis;

/// <summary>Similarity over copies of the shipped runs: the tidy table, its values, resumption, and failing checkpoints.</summary>
public class SimilarityRunAnalysisTests
{
    [Fact]
    public void DlnTableIsTheFullSymmetricMatrixPerLayerAndMeasureWithUnitDiagonal()
    {
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("dln"));

        var result = SimilarityRunAnalysis.Run(config, run, store);

        var steps = run.Checkpoints.Select(c => c.Step).ToArray();
        Assert.Equal(steps, result.Steps);
        Assert.Equal(["layers.0", "layers.1", "layers.2"], result.Layers);
        Assert.Equal(["linear_cka", "debiased_cka"], result.Measures);
        Assert.Empty(result.Failed);
        Assert.Equal(6, result.PartsComputed);
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
        Assert.Equal(config.Run.Checkpoints.Select(c => c.Sha256), checkpoints.Select(c => c.Sha256));
        Assert.Equal(30.75, checkpoints[0].Metrics["train_loss"], 2);
    }

    [Fact]
    public void ValuesEqualAStepEngineFedDirectlyByTheRunStream()
    {
        string runDir = DemoRunCopy.Make("dln");
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), runDir,
            c => c with { Similarity = c.Similarity with { ProbeCount = 100, ProbeSeed = 7 } });
        SimilarityRunAnalysis.Run(config, run, store);
        var stored = SimilarityMatrices.Read(store).ToDictionary(m => (m.Layer, m.Measure));

        // Independently: the task's inputs, the same draw, every checkpoint streamed into one accumulator per layer.
        using var task = TaskSpec.Parse(run.Manifest!.Task!).LoadTraining();
        using var probe = ProbeBatch.Sample(task.Inputs, 100, 7);
        var perLayer = new Dictionary<string, StepSimilarityAccumulator>();
        RunActivations.Stream(run, probe, (step, layer, activations) =>
            (perLayer.TryGetValue(layer, out var a) ? a : perLayer[layer] = new StepSimilarityAccumulator()).Add(step, activations));

        Assert.Equal(3, perLayer.Count);
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
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("tms"), c => c with
        {
            Similarity = c.Similarity with { ProbeCount = 48, Measures = ["linear_cka", "rbf_cka", "procrustes", "pwcca"] },
        });

        var result = SimilarityRunAnalysis.Run(config, run, store);

        Assert.Equal(["hook_hidden"], result.Layers);
        var matrices = SimilarityMatrices.Read(store).ToDictionary(m => m.Measure, m => m.Matrix);
        Assert.Equal(["linear_cka", "procrustes", "pwcca", "rbf_cka"], matrices.Keys.Order(StringComparer.Ordinal));
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
        string runDir = DemoRunCopy.Make("dln");
        var (config, run, whole) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), runDir);
        SimilarityRunAnalysis.Run(config, run, whole);

        string resumedDir = AnalysisFixtures.NewAnalysisFolder();
        var (config2, run2, resumed) = AnalysisFixtures.Open(resumedDir, runDir);
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress(p => { if (p.Activity.Contains("capturing") && p.Done == 15) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => SimilarityRunAnalysis.Run(config2, run2, resumed, progress, cancel.Token));
        // Checkpoints 0..15 finished (the one in flight when cancelled completes), nothing was compared.
        Assert.Equal(16, Directory.GetFiles(AnalysisPaths.ActivationFolder(resumedDir), "*.safetensors").Length);
        Assert.Equal(16, resumed.Parts("checkpoints").Count);
        Assert.Equal(TableState.Absent, resumed.State("similarity"));

        var again = SimilarityRunAnalysis.Run(config2, run2, AnalysisStore.Open(resumedDir));

        Assert.Equal(16, again.Cache.Reused);
        Assert.Equal(24, again.Cache.Captured);
        Assert.Equal(AnalysisStoreDump.ToJson(whole), AnalysisStoreDump.ToJson(AnalysisStore.Open(resumedDir)));
    }

    [Fact]
    public void ARerunSkipsFinishedWorkAndRecomputesOnlyWhatWasLost()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        var (config, run, store) = AnalysisFixtures.Open(folder, DemoRunCopy.Make("dln"));
        SimilarityRunAnalysis.Run(config, run, store);
        string before = AnalysisStoreDump.ToJson(store);

        var nothing = SimilarityRunAnalysis.Run(config, run, store);
        Assert.Equal((0, 40, 0, 6), (nothing.Cache.Captured, nothing.Cache.Reused, nothing.PartsComputed, nothing.PartsKept));

        File.Delete(store.Parts("similarity").Single(p => p.Key == SimilarityPartKey.For("layers.1", "debiased_cka")).Path);
        File.Delete(store.Parts("similarity").Single(p => p.Key == SimilarityPartKey.For("layers.2", "linear_cka")).Path);
        foreach (long step in new long[] { 0, 151, 5000 }) File.Delete(AnalysisPaths.Activations(folder, step));
        var rerun = SimilarityRunAnalysis.Run(config, run, store);

        Assert.Equal((3, 37, 2, 4), (rerun.Cache.Captured, rerun.Cache.Reused, rerun.PartsComputed, rerun.PartsKept));
        Assert.Equal(before, AnalysisStoreDump.ToJson(AnalysisStore.Open(folder)));
    }

    [Fact]
    public void ACorruptCheckpointIsRecordedAndTheRestAreCompared()
    {
        string runDir = DemoRunCopy.Make("dln");
        string bad = Path.Combine(runDir, "step_000151.safetensors");
        File.WriteAllBytes(bad, File.ReadAllBytes(bad)[..200]);
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), runDir);

        var result = SimilarityRunAnalysis.Run(config, run, store);

        var (step, error) = Assert.Single(result.Failed);
        Assert.Equal(151, step);
        Assert.Contains("step_000151.safetensors", error);
        Assert.DoesNotContain(151L, result.Steps);
        Assert.Equal(39, result.Steps.Count);
        var row = store.Read<CheckpointRow>().Single(c => c.Step == 151);
        Assert.Equal(CheckpointStatus.Failed, row.Status);
        Assert.Equal(error, row.Error);
        Assert.Equal(RunSource.Hash(bad), row.Sha256); // the bytes that failed
        Assert.Equal(200, row.SizeBytes);
        Assert.Equal(8.062, row.Metrics["train_loss"], 3); // the manifest's metric, although the file is unreadable
        Assert.Equal(39 * 39 * 6, store.Read<SimilarityRow>().Count);
        Assert.False(File.Exists(AnalysisPaths.Activations(store.Folder, 151)));

        // A rerun tries the failed checkpoint again (and fails again), reusing the rest.
        var rerun = SimilarityRunAnalysis.Run(config, run, store);
        Assert.Equal(39, rerun.Cache.Reused);
        Assert.Equal(6, rerun.PartsKept);
        Assert.Single(rerun.Failed);
    }

    [Fact]
    public void OtherSimilaritySettingsOnAFolderWithResultsAreRefused()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        string runDir = DemoRunCopy.Make("tms", 0, 251, 1116, 4000);
        var (config, run, store) = AnalysisFixtures.Open(folder, runDir, c => c with { Similarity = c.Similarity with { ProbeCount = 32 } });
        SimilarityRunAnalysis.Run(config, run, store);

        var e = Assert.Throws<RunFormatException>(() =>
            AnalysisFixtures.Open(folder, runDir, c => c with { Similarity = c.Similarity with { ProbeCount = 32, Measures = ["cca"] } }));
        Assert.Contains("other 'similarity' settings", e.Message);
        Assert.Contains("analysis.json", e.Message);
    }

    [Fact]
    public void ACacheCapturedOnAnotherProbeIsAnErrorNamingTheSetting()
    {
        // Dynamics captured the cache on 32 probe inputs; similarity (no results yet, so its settings may change) asks for
        // another probe: the cached activations would be mixed in silently, so the probe guard refuses.
        string folder = AnalysisFixtures.NewAnalysisFolder();
        string runDir = DemoRunCopy.Make("tms", 0, 251, 1116, 4000);
        var (config, run, store) = AnalysisFixtures.Open(folder, runDir, c => c with { Similarity = c.Similarity with { ProbeCount = 32 } });
        DynamicsRunAnalysis.Run(config, run, store);

        var (seeded, _, _) = AnalysisFixtures.Open(folder, runDir, c => c with { Similarity = c.Similarity with { ProbeCount = 32, ProbeSeed = 5 } });
        var e = Assert.Throws<RunFormatException>(() => SimilarityRunAnalysis.Run(seeded, run, store));
        Assert.Contains("similarity.probe_seed changed since the cached activations were captured (0 → 5)", e.Message);
        Assert.Contains("probe.safetensors", e.Message);
    }

    [Fact]
    public void UnknownMeasuresAreRefusedBeforeAnythingIsComputed()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        var (config, run, store) = AnalysisFixtures.Open(folder, DemoRunCopy.Make("tms", 0, 4000), c => c with
        {
            Similarity = c.Similarity with { Measures = ["linear_cka", "cosine"] },
        });
        var e = Assert.Throws<SettingsException>(() => SimilarityRunAnalysis.Run(config, run, store));
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

    private sealed class InlineProgress(Action<AnalysisProgress> report) : IProgress<AnalysisProgress>
    {
        public void Report(AnalysisProgress value) => report(value);
    }
}
