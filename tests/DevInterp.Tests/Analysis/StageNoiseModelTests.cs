using DevInterp.Analysis;
using DevInterp.Llc;
using DevInterp.Stages;
using DevInterp.Storage;
using Xunit.Abstractions;

namespace DevInterp.Tests.Analysis;

/// <summary>The stage table of whole runs under the noise model (docs/stages.md, "Noise model").</summary>
public class StageNoiseModelTests(ITestOutputHelper output)
{
    [Fact]
    public void GrokkingCurvesGiveOneBoundaryNearEachTransitionAndNoMore()
    {
        var store = SyntheticGrokking.Write(AnalysisFixtures.NewAnalysisFolder());

        var result = StageAnalysis.Compute(store, new StageSettings());

        foreach (var n in result.Notes) output.WriteLine("note: " + n);
        foreach (var s in result.Signals) output.WriteLine($"{s.Name}: {string.Join(", ", s.Boundaries.Steps)}");
        foreach (var r in result.Rows) output.WriteLine($"{r.Stage}: {r.StartStep}–{r.EndStep} {r.LlcTrend} {r.LlcChange:G3} [{string.Join(",", r.Signals)}] {r.Confidence:F2}");
        var score = StageScore.Of(SyntheticGrokking.Epochs, SyntheticGrokking.Transitions, result.Rows.Skip(1).Select(r => r.StartStep).ToList());
        output.WriteLine(score.ToString());
        Assert.True(score.EveryTransitionFound, score.ToString());
        Assert.InRange(score.Found, 1, SyntheticGrokking.Transitions.Length + 1);
    }

    /// <summary>The tanh MLP run of the issue: a checkpoint every epoch, 251 epochs, one layer's representation drifting slowly.</summary>
    private static readonly long[] Epochs = Enumerable.Range(0, 251).Select(i => (long)i).ToArray();

    // Linear CKA between two checkpoints of a representation that sits at position p(t) on a line: 1 − |p(a) − p(b)|.
    private static void WriteSimilarity(AnalysisStore store, Func<long, double> position)
    {
        var rows = new List<SimilarityRow>();
        foreach (long a in Epochs)
            foreach (long b in Epochs.Where(b => b > a && b - a <= 3))
                rows.Add(new SimilarityRow("hidden.0", "linear_cka", a, b, 1 - Math.Abs(position(a) - position(b))));
        store.Write(PartKey.Whole, rows);
    }

    // A slow drift of 2·10⁻⁴ per epoch (varying by ±50%) and 17 single-epoch jumps of 10⁻³ to 3·10⁻³.
    private static readonly long[] SpikeEpochs = [9, 23, 31, 44, 58, 67, 80, 96, 111, 125, 139, 150, 167, 182, 199, 214, 236];

    private static double Drift(long t)
    {
        double p = 2e-4 * t + 1.5e-3 * Math.Sin(t / 20.0);
        for (int k = 0; k < SpikeEpochs.Length; k++)
            if (t >= SpikeEpochs[k]) p += 1e-3 * (1 + k % 3);
        return p;
    }

    [Fact]
    public void SingleEpochSimilaritySpikesAreNotStagesAndOneSignalIsNeverCertain()
    {
        // The issue: similarity alone gave 17 boundaries, each at "confidence 1.00", all single-epoch spikes of the
        // adjacent-checkpoint change. Each spike holds a few percent of the run's change: none is a transition.
        var store = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        WriteSimilarity(store, Drift);

        var result = StageAnalysis.Compute(store, new StageSettings());

        Assert.Equal(["similarity"], result.Signals.Select(s => s.Name));
        Assert.Empty(result.Signals[0].Boundaries.Steps);
        Assert.Single(result.Rows);
        Assert.Contains(result.Notes, n => n.StartsWith("similarity: ", StringComparison.Ordinal) && n.Contains("below the floors ignored"));

        // A real transition in the same run — the representation moves by 0.2 over epochs 120–124 — is found, once, and
        // with one signal its confidence is 2/3, not 1.
        var withJump = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        WriteSimilarity(withJump, t => Drift(t) + 0.05 * Math.Clamp(t - 120, 0, 4));
        var found = StageAnalysis.Compute(withJump, new StageSettings());
        var boundary = Assert.Single(found.Rows.Skip(1));
        Assert.InRange(boundary.StartStep, 121, 124);
        Assert.Equal(2 / 3.0, boundary.Confidence!.Value, 12);
    }

    [Fact]
    public void ATestLossThatChangesBy1e5To1e7MakesNoStage()
    {
        // The grokking run's test loss over memorisation: at chance level (ln 113 = 4.727) with changes of 10⁻⁵ to 10⁻⁷.
        var store = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        long[] epochs = SyntheticGrokking.Epochs.Where(e => e <= 5400).ToArray();
        foreach (long t in epochs)
        {
            double testLoss = 4.727 - 1e-5 * (t >= 400 ? 1 : 0) - 1e-6 * (t >= 2800 ? 1 : 0) - 1e-7 * (t >= 3400 ? 1 : 0);
            store.Write(PartKey.ForStep(t), [CheckpointRow.Ok(t, $"epoch_{t}.pt", new string('a', 64), 1000,
                new Dictionary<string, double> { ["test_loss"] = testLoss, ["train_accuracy"] = SyntheticGrokking.TrainAccuracy(t) })]);
        }

        var result = StageAnalysis.Compute(store, new StageSettings());

        Assert.Empty(result.Signals.Single(s => s.Name == "test_loss").Boundaries.Steps);
        // Memorisation ending at 1800 is still there, from the train accuracy.
        Assert.Equal([1800L], result.Rows.Skip(1).Select(r => r.StartStep));
    }

    [Fact]
    public void ADynamicsTurnAtTheEdgeOfItsSmoothingMakesNoFinalStage()
    {
        // The issue: a one-checkpoint final stage at 48,000 of 49,000 came only from the essential-dynamics curvature at
        // the edge of its smoothing window.
        var store = SyntheticGrokking.Write(AnalysisFixtures.NewAnalysisFolder(), llc: false);
        var epochs = SyntheticGrokking.Epochs;
        store.Write(PartKey.Whole, epochs.Select(t => new DynamicsCurvatureRow(t, 0.1, 2, 10, 0, 0, false, null) with
        {
            Flagged = t == epochs[^2] || t == 1800,
            TurningAngleDegrees = t == epochs[^2] || t == 1800 ? 40 : 2,
            Reason = t == epochs[^2] || t == 1800 ? "curvature_peak" : null,
        }).ToList());

        var result = StageAnalysis.Compute(store, new StageSettings());

        Assert.Equal([1800L], result.Signals.Single(s => s.Name == "dynamics").Boundaries.Steps);
        Assert.Contains(result.Notes, n => n.Contains("1 flagged turn(s) within the smoothing's reach"));
        Assert.True(epochs.ToList().IndexOf(result.Rows[^1].StartStep) <= epochs.Length - 3, "the last stage holds at least 3 checkpoints");
    }

    [Fact]
    public void AStageTrendComesFromTheValuesInsideIt()
    {
        // The issue: stage 0 (0–400) of the grokking run was "falling −16.8" while the LLC rose from 1.58 to 9.87: the
        // local-linear smoother's bandwidth at the first checkpoint widened to 6.0 in ln(step) and its value there was 29.35.
        // Checkpoints every 200 epochs from 0 (the first sits 5.3 in ln(step + 1) from the next); the grokking LLC curve.
        long[] epochs = SyntheticGrokking.Epochs;
        Func<long, double> Llc = SyntheticGrokking.Llc;
        var smoothed = DevInterp.Stages.LlcCurve.LlcStageFinder.Find(epochs, epochs.Select(Llc).ToArray()).Smoothed;
        output.WriteLine($"local-linear smoother at epoch 0: {smoothed[0]:F2} (measured 1.58)");
        Assert.True(Math.Abs(smoothed[0] - 1.58) > 5, $"the smoother's edge value {smoothed[0]:F2} is the failure this test guards against");

        var store = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        var template = LlcRows.Failed(0, new LlcSettings(), 1e-4, "given", "synthetic", 0);
        foreach (long t in epochs)
            store.Write(PartKey.ForStep(t), [template with { Step = t, Mean = Llc(t), Std = 0.2, Chains = 4, DroppedChains = 0, Verdict = LlcVerdict.Trusted, Reasons = "" }]);

        var result = StageAnalysis.Compute(store, new StageSettings());

        var first = result.Rows[0];
        Assert.Equal(StageTrend.Rising, first.LlcTrend);
        var inside = epochs.Where(t => t >= first.StartStep && t < first.EndStep).Select(Llc).ToArray();
        Assert.Equal(inside[^1] - inside[0], first.LlcChange!.Value, 9);
        // Every stage's trend agrees with the values measured in it.
        foreach (var row in result.Rows)
        {
            var values = epochs.Where(t => t >= row.StartStep && (t < row.EndStep || row.Stage == result.Rows.Count - 1)).Select(Llc).ToArray();
            var expected = values[^1] - values[0] > 0 ? StageTrend.Rising : StageTrend.Falling;
            Assert.True(row.LlcTrend == expected || row.LlcTrend == StageTrend.Flat, $"stage {row.Stage}: {row.LlcTrend} over values {values[0]:F2} … {values[^1]:F2}");
        }
    }
    [Fact]
    public void ALossDecayingToAFloorStartsASettledStageWhereWhatRemainsIsBelowTheBar()
    {
        // ln(loss) = ln(0.15 + 3 e^(−t/800)) on the grokking demo's log schedule: no kink anywhere, one settled stage. The
        // bar is 10% of the range of ln(loss) (3.0); the boundary is SettlePoint's, and it is noted.
        long[] steps = Enumerable.Range(0, 112).Select(i => (long)Math.Round(300 * Math.Exp(i / 111.0 * Math.Log(5300 / 300.0)) - 300)).Distinct().ToArray();
        double[] lnLoss = steps.Select(t => Math.Log(0.15 + 3 * Math.Exp(-t / 800.0))).ToArray();
        var store = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        foreach (var (t, y) in steps.Zip(lnLoss))
            store.Write(PartKey.ForStep(t), [CheckpointRow.Ok(t, $"step_{t}.pt", new string('a', 64), 1000,
                new Dictionary<string, double> { ["train_loss"] = Math.Exp(y) })]);

        var result = StageAnalysis.Compute(store, new StageSettings());

        // Analytically: what remains spans ln L(t) − ln L(5000) < bar from 0.15 + 3e^(−t/800) < L(5000)·e^bar, i.e.
        // t > 800 ln(3 / (L(5000)·e^bar − 0.15)) ≈ 3193; the first checkpoint after it is 3204.
        double bar = 0.1 * (lnLoss.Max() - lnLoss.Min());
        double from = 800 * Math.Log(3 / (Math.Exp(lnLoss[^1] + bar) - 0.15));
        int settled = DevInterp.Stages.Trends.SettlePoint.Find(DevInterp.Stages.Trends.TimeAxis.For(steps).Positions(steps), lnLoss, bar)!.Value;
        Assert.Equal(steps.First(t => t > from), steps[settled]);
        Assert.Equal([steps[settled]], result.Rows.Skip(1).Select(r => r.StartStep));
        Assert.Contains(result.Notes, n => n.StartsWith($"settled: from step {steps[settled]} ", StringComparison.Ordinal));

        // Cut off before it settles (the first 60 checkpoints, to step 1080): its last four checkpoints span less than 10% of
        // this shorter run's range, but only because little of the run is left — the loss falls at the same rate as
        // before — so no settled stage, and the note says which curve is still moving.
        var early = AnalysisStore.Open(AnalysisFixtures.NewAnalysisFolder());
        foreach (var (t, y) in steps.Zip(lnLoss).Take(60))
            early.Write(PartKey.ForStep(t), [CheckpointRow.Ok(t, $"step_{t}.pt", new string('a', 64), 1000,
                new Dictionary<string, double> { ["train_loss"] = Math.Exp(y) })]);
        var open = StageAnalysis.Compute(early, new StageSettings());
        foreach (var n in open.Notes) output.WriteLine("note: " + n);
        foreach (var sg in open.Signals) output.WriteLine($"{sg.Name}: {string.Join(", ", sg.Boundaries.Steps)}");
        Assert.Contains(open.Notes, n => n.StartsWith("settled: loss still change", StringComparison.Ordinal));
        Assert.Contains(open.Notes, n => n.StartsWith("settled: loss still change", StringComparison.Ordinal));
    }
}
