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
    public void NearbyBoundariesMergeAndConfidenceIsTheAgreeingFractionOfAvailableSignals()
    {
        var table = StageTable.Build(Input(
            new BoundarySignal("llc", [200, 600]),
            new BoundarySignal("loss", [210, 590]),
            new BoundarySignal("sim", [220, 800]),
            new BoundarySignal("ed", []) { CoverageEnd = 500 }));

        // {200, 210, 220}: within 2 checkpoints of 200, median index 21 → step 210, 3 of 4 signals.
        // {590, 600}: median index 59.5, ties go to the earlier checkpoint → 590; "ed" stops at 500, so 2 of 3.
        // {800}: 1 of 3.
        Assert.Equal([210L, 590, 800], table.Boundaries.Select(b => b.Step));
        Assert.Equal(["llc", "loss", "sim"], table.Boundaries[0].Signals);
        Assert.Equal([200L, 210, 220], table.Boundaries[0].MemberSteps);
        Assert.Equal([3.0 / 4, 2.0 / 3, 1.0 / 3], table.Boundaries.Select(b => b.Confidence));
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
        // LLC = min(step, 600)/100: range 6, flat below |change| < 0.3.
        Assert.Equal([2.1, 3.8, 0.1, 0.0], table.Rows.Select(r => Math.Round(r.LlcChange!.Value, 12)));
        Assert.Equal([StageTrend.Rising, StageTrend.Rising, StageTrend.Flat, StageTrend.Flat], table.Rows.Select(r => r.LlcTrend!.Value));
        // Loss = 5 − step/200.
        Assert.Equal([-1.05, -1.9, -1.05, -1.0], table.Rows.Select(r => Math.Round(r.LossChange!.Value, 12)));

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
        Assert.Equal([1.0, 0.5], exact.Boundaries.Select(b => b.Confidence));
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
        Assert.Equal(1.0, all.Confidence);
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
