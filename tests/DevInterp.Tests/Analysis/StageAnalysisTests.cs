using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Runs;
using DevInterp.Stages;
using DevInterp.Storage;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// The stage table from whatever an analysis folder holds. The DLN demo run learns its teacher's four singular values one
/// at a time (docs/demo-runs.md): five loss plateaus, each transition inside one checkpoint interval, at the checkpoints
/// 121, 291, 871 and 2087. One stage per plateau, each starting at the first checkpoint after its transition.
/// </summary>
public class StageAnalysisTests
{
    private static readonly long[] DlnTransitionCheckpoints = [121, 291, 871, 2087];
    private static readonly long[] DlnPlateauStarts = [0, 151, 363, 1083, 2596];

    [Fact]
    public void DlnStagesFromLossAndSimilarityAreTheLossPlateaus()
    {
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("dln"));
        SimilarityRunAnalysis.Run(config, run, store);
        DynamicsRunAnalysis.Run(config, run, store);

        var result = StageAnalysis.Run(store, config.Stages);

        Assert.Equal(DlnPlateauStarts, result.Rows.Select(r => r.StartStep));
        Assert.Equal([151L, 363, 1083, 2596, 5000], result.Rows.Select(r => r.EndStep));
        // Every boundary is one checkpoint interval after the checkpoint inside its transition.
        var steps = run.Checkpoints.Select(c => c.Step).ToList();
        foreach (var (boundary, transition) in result.Rows.Skip(1).Select(r => r.StartStep).Zip(DlnTransitionCheckpoints))
            Assert.Equal(steps.IndexOf(transition) + 1, steps.IndexOf(boundary));
        Assert.Equal([151L, 363, 1083, 2596], Signal(result, "loss"));
        // Linear CKA barely sees the fourth mode (0.5² of Σ s² ≈ 33 of output variance), so similarity agrees on three.
        Assert.Equal([151L, 363, 1083], Signal(result, "similarity"));
        Assert.Empty(Signal(result, "dynamics"));
        Assert.Equal([null, 2 / 3.0, 2 / 3.0, 2 / 3.0, 1 / 3.0], result.Rows.Select(r => r.Confidence));
        // The loss falls in every stage, by about the next singular value squared (32.9 → 7.94 → 1.69 → 0.25 → 0).
        Assert.Equal([-22.69, -6.29, -1.515, -0.2588, 0], result.Rows.Select(r => Math.Round(r.LossChange!.Value, 4)).ToArray(),
            new ToleranceComparer(0.01));
        Assert.All(result.Rows, r => Assert.Null(r.LlcTrend));
        // Written to the stages table.
        Assert.Equal(result.Rows, store.Read<StageSummaryRow>(), new RowComparer());
    }

    [Fact]
    public void LossAloneGivesThePlateaus()
    {
        string runDir = DemoRunCopy.Make("dln");
        var run = Run.Open(runDir);
        var store = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        foreach (var c in run.Checkpoints)
        {
            using var reader = c.Open();
            store.Write(PartKey.ForStep(c.Step), [CheckpointRowFactory.Ok(c, Path.GetFileName(c.Path), reader)]);
        }

        var result = StageAnalysis.Run(store, new StageSettings());

        Assert.Equal(["loss"], result.Signals.Select(s => s.Name));
        Assert.Equal(DlnPlateauStarts, result.Rows.Select(r => r.StartStep));
        Assert.All(result.Rows.Skip(1), r => Assert.Equal(1.0, r.Confidence));
    }

    [Fact]
    public void SimilarityAloneFindsTheTransitionsItSees()
    {
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("dln"));
        SimilarityRunAnalysis.Run(config, run, store);
        foreach (var part in store.Parts("checkpoints")) File.Delete(part.Path);

        var result = StageAnalysis.Run(store, config.Stages);

        Assert.Equal(["similarity"], result.Signals.Select(s => s.Name));
        Assert.Equal([0L, 151, 363, 1083], result.Rows.Select(r => r.StartStep));
        Assert.All(result.Rows, r => Assert.Null(r.LossChange)); // no loss curve without the checkpoints table
        Assert.Equal(40, result.Steps.Count);
    }

    [Fact]
    public void LlcAloneGivesTrendsAndLeavesOutUntrustedEstimates()
    {
        // A synthetic LLC per checkpoint of the DLN run: flat at 2, a rise to 8 around step 300, flat again; one wild
        // untrusted estimate that must not make a stage.
        long[] steps = Run.Open(DemoRunCopy.Make("dln")).Checkpoints.Select(c => c.Step).ToArray();
        var store = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        var template = LlcRows.Failed(0, new LlcSettings(), 1e-4, "given", "placeholder", 0);
        foreach (long step in steps)
        {
            double x = Math.Log(step + 1) - Math.Log(301);
            var row = step == 1677
                ? template with { Step = step, Mean = 1000, Verdict = LlcVerdict.Untrusted, Reasons = "r_hat 1.4" }
                : template with { Step = step, Mean = 2 + 6 / (1 + Math.Exp(-8 * x)), Verdict = LlcVerdict.Trusted, Reasons = "" };
            store.Write(PartKey.ForStep(step), [row]);
        }

        var result = StageAnalysis.Run(store, new StageSettings());

        Assert.Equal(["llc"], result.Signals.Select(s => s.Name));
        Assert.Equal([1677L], result.ExcludedLlcSteps);
        Assert.Contains(result.Notes, n => n.Contains("1 untrusted or undefined estimate(s) excluded (steps 1677)"));
        Assert.Equal(StageTrend.Flat, result.Rows[0].LlcTrend);
        Assert.Equal(StageTrend.Flat, result.Rows[^1].LlcTrend);
        var rise = Assert.Single(result.Rows, r => r.LlcTrend == StageTrend.Rising);
        Assert.InRange(rise.StartStep, 1, 300);
        Assert.InRange(rise.EndStep, 300, 1400);
        Assert.InRange(rise.LlcChange!.Value, 4, 6.5);
        Assert.InRange(result.Rows.Sum(r => r.LlcChange!.Value), 5.5, 6.1); // smoothed 2 → 8 over the table
    }

    [Fact]
    public void TmsStagesFromLossAndSimilarityCutAtItsTransitions()
    {
        // docs/demo-runs.md: growth from the origin, a paired arrangement (~300–750), the pairs splitting (~750–1050),
        // the 4-gon (~1100–1750), a fifth feature growing (~1750–2200), the 5-gon (2200–4000).
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("tms"));
        SimilarityRunAnalysis.Run(config, run, store);
        DynamicsRunAnalysis.Run(config, run, store);

        var result = StageAnalysis.Run(store, config.Stages);

        Assert.Equal([0L, 132, 311, 902, 2113], result.Rows.Select(r => r.StartStep));
        Assert.Equal([132L, 311, 1116], Signal(result, "loss"));
        // The representation's two fast changes: the pairs splitting (fastest between 729 and 902) and the fifth feature
        // (between 1708 and 2113); the loss's change point at 1116 merges with the drop at 902.
        Assert.Equal([902L, 2113], Signal(result, "similarity"));
        Assert.Equal(["loss", "similarity"], result.Rows[3].Signals);
        Assert.Equal(["similarity"], result.Rows[4].Signals);
        Assert.All(result.Rows, r => Assert.True(r.LossChange < 0, $"stage {r.Stage}: the loss falls in every stage"));
    }

    [Fact]
    public void LlcAndSimilarityTogetherAgreeAtASharedBoundary()
    {
        // Similarity of the DLN run (drops at 151, 363, 1083) plus a synthetic trusted LLC that rises around the second
        // transition (step 291): the LLC's boundaries merge with the similarity drops where they coincide.
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("dln"));
        SimilarityRunAnalysis.Run(config, run, store);
        foreach (var part in store.Parts("checkpoints")) File.Delete(part.Path);
        var template = LlcRows.Failed(0, new LlcSettings(), 1e-4, "given", "placeholder", 0);
        foreach (long step in run.Checkpoints.Select(c => c.Step))
        {
            double x = Math.Log(step + 1) - Math.Log(292);
            store.Write(PartKey.ForStep(step), [template with { Step = step, Mean = 10 + 8 / (1 + Math.Exp(-12 * x)), Verdict = LlcVerdict.Trusted, Reasons = "" }]);
        }

        var result = StageAnalysis.Run(store, config.Stages);

        Assert.Equal(["llc", "similarity"], result.Signals.Select(s => s.Name).Order(StringComparer.Ordinal));
        // The LLC-curve method cuts where the rise starts and where it ends (slope critical points around step 291).
        var llc = Signal(result, "llc");
        Assert.Equal(2, llc.Count);
        Assert.True(llc[0] < 291 && llc[1] > 291, $"LLC boundaries {string.Join(", ", llc)} bracket the rise at 291");
        // Where an LLC boundary falls on a similarity drop (151; and 871, within the merge tolerance of the drop at 1083),
        // the boundary is named by both signals and has full confidence; a boundary seen by one signal only has less.
        var both = result.Rows.Where(r => r.Signals.Contains("llc") && r.Signals.Contains("similarity")).ToList();
        var shared = Assert.Single(both, r => r.StartStep == 151);
        Assert.All(both, r => Assert.Equal(1.0, r.Confidence));
        Assert.All(result.Rows.Where(r => r.Signals.Count == 1), r => Assert.True(r.Confidence < 1, $"stage {r.Stage}: one signal, confidence {r.Confidence}"));
        Assert.Equal(StageTrend.Rising, shared.LlcTrend);
        Assert.Contains(result.Rows, r => r.LlcTrend == StageTrend.Rising);
    }

    [Fact]
    public void TheTableIsTheSameWhenComputedAgain()
    {
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("tms"));
        SimilarityRunAnalysis.Run(config, run, store);
        StageAnalysis.Run(store, config.Stages);
        string first = AnalysisStoreDump.ToJson(store);

        StageAnalysis.Run(store, config.Stages);

        Assert.Equal(first, AnalysisStoreDump.ToJson(store));
    }

    [Fact]
    public void AnEmptyFolderIsAnErrorSayingWhatToRunFirst()
    {
        var store = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        var e = Assert.Throws<RunFormatException>(() => StageAnalysis.Run(store, new StageSettings()));
        Assert.Contains("holds results for 0 checkpoint(s); stages need at least 2", e.Message);
    }

    [Theory]
    [InlineData("cost", "stages.cost: 'l3' is not one of l2, l1, normal, rbf")]
    [InlineData("method", "stages.method: 'greedy' is not one of pelt, binseg, dynp")]
    [InlineData("penalty", "stages.penalty: expected a finite number ≥ 0 or null, got -1")]
    [InlineData("min", "stages.min_segment_size: expected at least 1, got 0")]
    public void BadSettingsNameTheSetting(string which, string message)
    {
        var settings = which switch
        {
            "cost" => new StageSettings(Cost: "l3"),
            "method" => new StageSettings(Method: "greedy"),
            "penalty" => new StageSettings(Penalty: -1),
            _ => new StageSettings(MinSegmentSize: 0),
        };
        Assert.Contains(message, Assert.Throws<SettingsException>(() => StageAnalysis.ChangePoints(settings)).Message);
    }

    private static IReadOnlyList<long> Signal(StageAnalysisResult result, string name) =>
        result.Signals.Single(s => s.Name == name).Boundaries.Steps;

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(y));
        public int GetHashCode(double obj) => 0;
    }

    private sealed class RowComparer : IEqualityComparer<StageSummaryRow>
    {
        public bool Equals(StageSummaryRow? x, StageSummaryRow? y) =>
            x is not null && y is not null && (x with { Signals = [] }) == (y with { Signals = [] }) && x.Signals.SequenceEqual(y.Signals);
        public int GetHashCode(StageSummaryRow obj) => obj.Stage;
    }
}
