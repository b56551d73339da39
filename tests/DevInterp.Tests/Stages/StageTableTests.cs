using DevInterp.Stages;
using DevInterp.Stages.LlcCurve;
using DevInterp.Stages.Search;
using DevInterp.Stages.Table;

namespace DevInterp.Tests.Stages;

public class StageTableTests
{
    /// <summary>101 checkpoints at steps 0, 10, …, 1000.</summary>
    private static readonly long[] Checkpoints = Enumerable.Range(0, 101).Select(i => 10L * i).ToArray();

    private static StepCurve Curve(Func<long, double> f) => new(Checkpoints, Checkpoints.Select(f).ToArray());

    private static StageTableInput Input(params BoundarySignal[] signals) => new(
        Checkpoints, signals,
        Llc: Curve(s => Math.Min(s, 600) / 100.0),
        Loss: Curve(s => 5 - s / 200.0));

    [Fact]
    public void NearbyBoundariesMergeAndConfidenceGrowsWithTheSignalsThatAgree()
    {
        var table = StageTable.Build(Input(
            new BoundarySignal("llc", [200, 600]),
            new BoundarySignal("loss", [210, 590]),
            new BoundarySignal("sim", [220, 800]),
            new BoundarySignal("ed", []) { CoverageEnd = 500 }));

        // {200, 210, 220}: within 2 checkpoints of 200, median index 21 → step 210, 3 of 4 signals: (3 + 1) / (4 + 2).
        // {590, 600}: median index 59.5, ties go to the earlier checkpoint → 590; "ed" stops at 500, so 2 of 3: 3/5.
        // {800}: 1 of 3: 2/5.
        Assert.Equal([210L, 590, 800], table.Boundaries.Select(b => b.Step));
        Assert.Equal(["llc", "loss", "sim"], table.Boundaries[0].Signals);
        Assert.Equal([200L, 210, 220], table.Boundaries[0].MemberSteps);
        Assert.Equal([4.0 / 6, 3.0 / 5, 2.0 / 5], table.Boundaries.Select(b => b.Confidence));
        Assert.Equal([4, 3, 3], table.Boundaries.Select(b => b.AvailableSignals));

        Assert.Equal(4, table.Rows.Count);
        Assert.Equal([(0L, 210L), (210, 590), (590, 800), (800, 1000)], table.Rows.Select(r => (r.StartStep, r.EndStep)));
        Assert.Equal([0, 1, 2, 3], table.Rows.Select(r => r.Index));
        Assert.Null(table.Rows[0].Confidence);
        Assert.Empty(table.Rows[0].Signals);
        Assert.Equal(table.Boundaries[1].Confidence, table.Rows[2].Confidence);
        Assert.Equal(["llc", "loss"], table.Rows[2].Signals);
    }

    [Fact]
    public void RowsCarryLlcTrendAndChangeAndLossChange()
    {
        var table = StageTable.Build(Input(new BoundarySignal("a", [210, 590, 800])));
        // Each stage's own checkpoints: 0…200, 210…580, 590…790, 800…1000. LLC = min(step, 600)/100: range 6, flat below
        // |change| < 0.3.
        Assert.Equal([2.0, 3.7, 0.1, 0.0], table.Rows.Select(r => Math.Round(r.LlcChange!.Value, 12)));
        Assert.Equal([StageTrend.Rising, StageTrend.Rising, StageTrend.Flat, StageTrend.Flat], table.Rows.Select(r => r.LlcTrend!.Value));
        // Loss = 5 − step/200.
        Assert.Equal([-1.0, -1.85, -1.0, -1.0], table.Rows.Select(r => Math.Round(r.LossChange!.Value, 12)));

        var falling = StageTable.Build(new StageTableInput(Checkpoints, [new BoundarySignal("a", [500])], Llc: Curve(s => -s / 10.0)));
        Assert.All(falling.Rows, r => Assert.Equal(StageTrend.Falling, r.LlcTrend));
        Assert.All(falling.Rows, r => Assert.Null(r.LossChange));
    }

    [Fact]
    public void GroupsDoNotChainBeyondTheTolerance()
    {
        // 100, 120, 140 are 2 checkpoints apart in turn: the group anchored at 100 takes 120 but not 140.
        var table = StageTable.Build(Input(new BoundarySignal("a", [100, 140]), new BoundarySignal("b", [120])));
        Assert.Equal([[100L, 120], [140L]], table.Boundaries.Select(b => b.MemberSteps.ToArray()));
        Assert.Equal([110L, 140], table.Boundaries.Select(b => b.Step)); // median of 100 and 120
        // A tolerance of 0 merges only identical positions; one signal's repeated boundary counts once.
        var exact = StageTable.Build(Input(new BoundarySignal("a", [300, 300]), new BoundarySignal("b", [300, 310])), new StageTableOptions(Tolerance: 0));
        Assert.Equal([300L, 310], exact.Boundaries.Select(b => b.Step));
        Assert.Equal([3.0 / 4, 2.0 / 4], exact.Boundaries.Select(b => b.Confidence));
    }

    [Fact]
    public void LogStepToleranceMergesInTenthsOfADecade()
    {
        long[] steps = Enumerable.Range(0, 51).Select(i => (long)Math.Round(Math.Pow(10, 5.0 * i / 50))).Prepend(0).Distinct().ToArray();
        // Steps 1000 and 1259 are 0.23 apart in ln(step + 1), 1000 and 1585 are 0.46 apart.
        var input = new StageTableInput(steps, [new BoundarySignal("a", [1000]), new BoundarySignal("b", [1259]), new BoundarySignal("c", [1585])]);
        var tight = StageTable.Build(input, new StageTableOptions(Tolerance: 0.24, Unit: ToleranceUnit.LogSteps));
        Assert.Equal([[1000L, 1259], [1585L]], tight.Boundaries.Select(b => b.MemberSteps.ToArray()));
        var loose = StageTable.Build(input, new StageTableOptions(Tolerance: 0.47, Unit: ToleranceUnit.LogSteps));
        var all = Assert.Single(loose.Boundaries);
        Assert.Equal(1259, all.Step); // median of the three
        Assert.Equal(4.0 / 5, all.Confidence); // all three agree: (3 + 1) / (3 + 2)
    }

    [Fact]
    public void AChangeOfRateAloneCutsAStageOnlyWhenFewSignalsCouldDisagree()
    {
        // "a" marks 300 as a change of rate only and 600 as a change of state; b, c, d, e found nothing.
        var rate = new BoundarySignal("a", [300, 600]) { RateChanges = [300] };
        BoundarySignal Quiet(string name) => new(name, []);
        var five = StageTable.Build(Input(rate, Quiet("b"), Quiet("c"), Quiet("d"), Quiet("e")));
        Assert.Equal([600L], five.Boundaries.Select(b => b.Step)); // a change of state stands alone, at (1 + 1) / (5 + 2)
        var dropped = Assert.Single(five.DroppedBoundaries);
        Assert.Equal((300L, true), (dropped.Step, dropped.RateChangeOnly));
        Assert.Equal(2 / 7.0, dropped.Confidence, 12);
        // One of four: (1 + 1) / (4 + 2) = 1/3, kept; a second signal agreeing keeps it among five.
        Assert.Equal([300L, 600], StageTable.Build(Input(rate, Quiet("b"), Quiet("c"), Quiet("d"))).Boundaries.Select(b => b.Step));
        var agreed = StageTable.Build(Input(rate, new BoundarySignal("b", [310]) { RateChanges = [310] }, Quiet("c"), Quiet("d"), Quiet("e")));
        Assert.Equal([300L, 600], agreed.Boundaries.Select(b => b.Step));
        Assert.True(agreed.Boundaries[0].RateChangeOnly);
        // A change of state of another signal in the group makes it more than a change of rate.
        var mixed = StageTable.Build(Input(rate, new BoundarySignal("b", [310]), Quiet("c"), Quiet("d"), Quiet("e")));
        Assert.False(mixed.Boundaries[0].RateChangeOnly);
        // The rule can be switched off.
        Assert.Equal(2, StageTable.Build(Input(rate, Quiet("b"), Quiet("c"), Quiet("d"), Quiet("e")), new StageTableOptions(MinRateChangeConfidence: 0)).Boundaries.Count);
    }

    [Fact]
    public void LowConfidenceBoundariesCanBeDropped()
    {
        var input = Input(new BoundarySignal("llc", [200]), new BoundarySignal("loss", [200, 700]), new BoundarySignal("sim", [210]));
        var table = StageTable.Build(input, new StageTableOptions(MinConfidence: 0.5));
        Assert.Equal([200L], table.Boundaries.Select(b => b.Step));
        Assert.Equal([700L], table.DroppedBoundaries.Select(b => b.Step));
        Assert.Equal([(0L, 200L), (200, 1000)], table.Rows.Select(r => (r.StartStep, r.EndStep)));
    }

    [Fact]
    public void OneSignalAloneIsNeverCertain()
    {
        var alone = StageTable.Build(Input(new BoundarySignal("sim", [300, 700])));
        Assert.All(alone.Boundaries, b => Assert.Equal(2.0 / 3, b.Confidence, 12));
        var four = StageTable.Build(Input(new BoundarySignal("a", [500]), new BoundarySignal("b", [500]), new BoundarySignal("c", [500]), new BoundarySignal("d", [500])));
        Assert.Equal(5.0 / 6, Assert.Single(four.Boundaries).Confidence, 12);
        Assert.True(four.Boundaries[0].Confidence > alone.Boundaries[0].Confidence);
    }

    [Fact]
    public void ABoundaryLeavingAStageOfFewerThanThreeCheckpointsAtAnEndIsDropped()
    {
        // 990 would leave a last stage of 990 and 1000; 10 a first stage of 0 alone.
        var table = StageTable.Build(Input(new BoundarySignal("dyn", [10, 500, 990])));
        Assert.Equal([500L], table.Boundaries.Select(b => b.Step));
        Assert.Equal([10L, 990], table.DroppedBoundaries.Select(b => b.Step));
        var loose = StageTable.Build(Input(new BoundarySignal("dyn", [10, 500, 990])), new StageTableOptions(MinEndStageCheckpoints: 1));
        Assert.Equal([10L, 500, 990], loose.Boundaries.Select(b => b.Step));
    }

    [Fact]
    public void AStageTrendMustFollowTheValuesNotOnlyItsEnds()
    {
        // Values that fall through the stage and tick up at its last checkpoint: end − start is +0.4, the values fall.
        long[] steps = [0, 10, 20, 30, 40, 50];
        var llc = new StepCurve(steps, [5.0, 3, 2, 1.5, 1, 5.4]);
        var table = StageTable.Build(new StageTableInput(steps, [], Llc: llc), new StageTableOptions(FlatTolerance: 0.05));
        var row = Assert.Single(table.Rows);
        Assert.Equal(0.4, row.LlcChange!.Value, 12);
        Assert.Equal(StageTrend.Flat, row.LlcTrend);
        Assert.Equal(StageTrend.Rising, StageTable.TrendOver(new StepCurve(steps, [1.0, 2, 3, 4, 5, 6]), 0, 50, 5, 0.2));
    }

    [Fact]
    public void BoundariesAtTheRunsEndsCutNothing()
    {
        var table = StageTable.Build(Input(new BoundarySignal("a", [0, 1000]), new BoundarySignal("b", [5])));
        Assert.Empty(table.Boundaries); // 5 snaps to checkpoint 0 (nearest), which starts the run anyway
        var row = Assert.Single(table.Rows);
        Assert.Equal((0L, 1000L), (row.StartStep, row.EndStep));
    }

    [Fact]
    public void SignalsComeFromChangePointsAndLlcStages()
    {
        var steps = Checkpoints;
        var loss = steps.Select(s => s < 300 ? 4.0 : s < 700 ? 2.0 : 1.0).ToArray();
        var result = ChangePointDetector.Detect(loss, new ChangePointOptions(BreakpointCount: 2, Method: SearchMethod.DynamicProgramming));
        var signal = BoundarySignal.FromChangePoints("loss", result, steps);
        Assert.Equal([300L, 700], signal.Steps);
        Assert.Equal((0L, 1000L), (signal.CoverageStart!.Value, signal.CoverageEnd!.Value));
        Assert.Throws<ArgumentException>(() => BoundarySignal.FromChangePoints("loss", result, steps.Take(50).ToArray()));

        var llc = LlcStageFinder.Find(steps, steps.Select(s => Math.Log(s + 1) < 5 ? 1.0 : 1.0 + 3 * (Math.Log(s + 1) - 5)).ToArray());
        var llcSignal = BoundarySignal.FromLlcStages("llc", llc);
        Assert.Equal(llc.BoundarySteps, llcSignal.Steps);
        Assert.NotEmpty(llcSignal.Steps);
    }

    [Fact]
    public void BadInputIsRejectedWithAClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => StageTable.Build(Input(new BoundarySignal("a", []), new BoundarySignal("a", []))));
        Assert.Contains("'a' is used twice", e.Message);
        e = Assert.Throws<ArgumentException>(() => StageTable.Build(Input(new BoundarySignal("a", [800]) { CoverageEnd = 500 })));
        Assert.Contains("boundary at step 800 lies outside its coverage [0, 500]", e.Message);
        e = Assert.Throws<ArgumentException>(() => StageTable.Build(new StageTableInput([0, 10, 10], [])));
        Assert.Contains("strictly increasing; 10 at index 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => StageTable.Build(new StageTableInput(Checkpoints, [], Llc: new StepCurve([0, 10], [1.0]))));
        Assert.Contains("llc: 1 values for 2 steps", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => StageTable.Build(Input(), new StageTableOptions(MinConfidence: 2)));
    }
}
