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
public class StageAnalysisTests(Xunit.Abstractions.ITestOutputHelper output)
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
        // Linear CKA barely sees the fourth mode (0.5² of Σ s² ≈ 33 of output variance) and the third moves it by 9% of
        // the run's representational change, below the 10% floor: similarity agrees on the first two.
        Assert.Equal([151L, 363], Signal(result, "similarity"));
        Assert.Empty(Signal(result, "dynamics"));
        // Two of three signals (loss, similarity, dynamics): (2 + 1) / (3 + 2); the loss alone: (1 + 1) / (3 + 2).
        Assert.Equal([null, 3 / 5.0, 3 / 5.0, 2 / 5.0, 2 / 5.0], result.Rows.Select(r => r.Confidence));
        // The loss within each plateau, its own checkpoints (the last one inside the next transition): from 30.75 to 28.54,
        // 8.06 to 6.62, 1.774 to 1.746, 0.259 to 0.162, 4.6e-6 to 3.3e-7.
        Assert.Equal([-2.21, -1.44, -0.028, -0.097, 0], result.Rows.Select(r => Math.Round(r.LossChange!.Value, 4)).ToArray(),
            new ToleranceComparer(0.02));
        Assert.All(result.Rows, r => Assert.Null(r.LlcTrend));
        // Against the documented transitions (docs/demo-runs.md, first checkpoint of each new plateau): precision = recall = 1.
        var score = StageScore.Of(steps, ShippedRunTransitions.Dln, result.Rows.Skip(1).Select(r => r.StartStep).ToList());
        output.WriteLine(score.ToString());
        Assert.True(score.EveryTransitionFound && score.Found <= ShippedRunTransitions.Dln.Length + 1, score.ToString());
        Assert.Equal((1.0, 1.0), (score.Precision, score.Recall));
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
        Assert.All(result.Rows.Skip(1), r => Assert.Equal(2 / 3.0, r.Confidence!.Value, 12)); // one signal alone: never 1
    }

    [Fact]
    public void SimilarityAloneFindsTheTransitionsItSees()
    {
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("dln"));
        SimilarityRunAnalysis.Run(config, run, store);
        foreach (var part in store.Parts("checkpoints")) File.Delete(part.Path);

        var result = StageAnalysis.Run(store, config.Stages);

        Assert.Equal(["similarity"], result.Signals.Select(s => s.Name));
        Assert.Equal([0L, 151, 363], result.Rows.Select(r => r.StartStep));
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
        foreach (var r in result.Rows) output.WriteLine($"{r.Stage}: {r.StartStep}–{r.EndStep} {r.LlcTrend} {r.LlcChange:G3} [{string.Join(",", r.Signals)}] {r.Confidence:F2}");

        Assert.Equal(["llc"], result.Signals.Select(s => s.Name));
        Assert.Equal([1677L], result.ExcludedLlcSteps);
        Assert.Contains(result.Notes, n => n.Contains("1 untrusted or undefined estimate(s) excluded (steps 1677)"));
        Assert.Equal(StageTrend.Flat, result.Rows[0].LlcTrend);
        Assert.Equal(StageTrend.Flat, result.Rows[^1].LlcTrend);
        var rise = Assert.Single(result.Rows, r => r.LlcTrend == StageTrend.Rising);
        Assert.InRange(rise.StartStep, 1, 300);
        Assert.InRange(rise.EndStep, 300, 1400);
        Assert.InRange(rise.LlcChange!.Value, 3.5, 6); // of the rise from 2 to 8, what happens at the stage's own checkpoints
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

        // One boundary per arrangement change: the paired arrangement (311), the pairs splitting into the square
        // (902–1116), the pentagon (2113).
        Assert.Equal([0L, 311, 902, 2113], result.Rows.Select(r => r.StartStep));
        Assert.Equal([311L, 1116, 2113], Signal(result, "loss"));
        // The representation's two fast changes: the pairs splitting (fastest between 729 and 902) and the fifth feature
        // (between 1708 and 2113); the loss's break at 1116, where the square is reached, merges with the burst at 902.
        Assert.Equal([902L, 2113], Signal(result, "similarity"));
        Assert.Equal(["loss", "similarity"], result.Rows[2].Signals);
        Assert.Equal(["loss", "similarity"], result.Rows[3].Signals);
        Assert.All(result.Rows, r => Assert.True(r.LossChange < 0, $"stage {r.Stage}: the loss falls in every stage"));
        var score = StageScore.Of(run.Checkpoints.Select(c => c.Step).ToList(), ShippedRunTransitions.Tms, result.Rows.Skip(1).Select(r => r.StartStep).ToList());
        output.WriteLine(score.ToString());
        Assert.True(score.EveryTransitionFound && score.Found <= ShippedRunTransitions.Tms.Length + 1, score.ToString());
        Assert.Equal((1.0, 1.0), (score.Precision, score.Recall));
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
        foreach (var r in result.Rows) output.WriteLine($"{r.Stage}: {r.StartStep}–{r.EndStep} {r.LlcTrend} {r.LlcChange:G3} [{string.Join(",", r.Signals)}] {r.Confidence:F2}");
        foreach (var sg in result.Signals) output.WriteLine($"{sg.Name}: {string.Join(", ", sg.Boundaries.Steps)}");

        Assert.Equal(["llc", "similarity"], result.Signals.Select(s => s.Name).Order(StringComparer.Ordinal));
        // The LLC's trend breaks sit where the rise starts and where it ends.
        var llc = Signal(result, "llc");
        Assert.Equal(2, llc.Count);
        Assert.True(llc[0] < 291 && llc[1] > 291, $"LLC boundaries {string.Join(", ", llc)} bracket the rise at 291");
        // Each LLC break lies within the merge tolerance of a similarity burst (151 and 234, 363 and 452): both boundaries
        // are named by both signals, with the confidence of two of two, (2 + 1) / (2 + 2).
        Assert.Equal([188L, 363], result.Rows.Skip(1).Select(r => r.StartStep));
        Assert.All(result.Rows.Skip(1), r => Assert.Equal(["llc", "similarity"], r.Signals));
        Assert.All(result.Rows.Skip(1), r => Assert.Equal(0.75, r.Confidence));
        // The last stage still rises a little (the sigmoid's tail, 17.4 → 18.0 of a range of 8): a trend of its own values.
        Assert.Equal([StageTrend.Flat, StageTrend.Rising, StageTrend.Rising], result.Rows.Select(r => r.LlcTrend!.Value));
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
