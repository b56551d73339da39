using DevInterp.Stages;
using DevInterp.Stages.LlcCurve;

namespace DevInterp.Tests.Stages;

public class LlcStageFinderTests
{
    /// <summary>Step 0 and ~200 log-spaced steps up to 10⁵, the usual checkpoint schedule of a devinterp run.</summary>
    private static long[] LogSpacedSteps() =>
        new long[] { 0 }.Concat(Enumerable.Range(0, 200).Select(i => (long)Math.Round(Math.Pow(10, 5.0 * i / 199)))).Distinct().ToArray();

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Two rises of 10 centred at steps 100 and 1,000, each about 0.15 e-folds wide in log step.</summary>
    private static double Staircase(long step) =>
        10 * Sigmoid((Math.Log(step + 1) - Math.Log(100)) / 0.15) + 10 * Sigmoid((Math.Log(step + 1) - Math.Log(1000)) / 0.15);

    [Fact]
    public void AStaircaseInLogStepGivesRisingStagesWithFlatsBetween()
    {
        var steps = LogSpacedSteps();
        var result = LlcStageFinder.Find(steps, steps.Select(Staircase).ToArray());

        Assert.Equal([StageTrend.Flat, StageTrend.Rising, StageTrend.Flat, StageTrend.Rising, StageTrend.Flat], result.Stages.Select(s => s.Trend));
        Assert.Empty(result.CriticalPoints);
        var rises = result.Stages.Where(s => s.Trend == StageTrend.Rising).ToArray();
        Assert.InRange(100, rises[0].StartStep, rises[0].EndStep);
        Assert.InRange(1000, rises[1].StartStep, rises[1].EndStep);
        Assert.All(rises, r => Assert.InRange(r.ValueChange, 8.0, 10.5));
        Assert.All(result.Stages.Where(s => s.Trend == StageTrend.Flat), f => Assert.InRange(Math.Abs(f.ValueChange), 0, 1.5));
        // Stages tile the run.
        Assert.Equal(steps[0], result.Stages[0].StartStep);
        Assert.Equal(steps[^1], result.Stages[^1].EndStep);
        for (int k = 1; k < result.Stages.Count; k++) Assert.Equal(result.Stages[k - 1].EndStep, result.Stages[k].StartStep);
        Assert.Equal(result.Stages.Skip(1).Select(s => s.StartStep), result.BoundarySteps);
        // The default bandwidth is 1/40 of ln(10⁵ + 1).
        Assert.Equal(Math.Log(100001) / 40, result.Bandwidth, 12);
        Assert.Equal(0.05 * (result.Smoothed.Max() - result.Smoothed.Min()), result.FlatThreshold, 12);
    }

    [Fact]
    public void NoiseDoesNotChangeTheStages()
    {
        // Noise σ = 0.3 and 0.6, 1.5% and 3% of the curve's range. Without the significance test (SignificanceZ = 0)
        // 68 of 100 seeds come out right at σ = 0.6, and no pure-noise curve stays a single flat stage.
        var steps = LogSpacedSteps();
        for (int seed = 0; seed < 20; seed++)
        {
            var rng = new Random(seed);
            double sigma = seed < 10 ? 0.3 : 0.6;
            var noisy = steps.Select(s => Staircase(s) + sigma * SyntheticSignals.Gaussian(rng)).ToArray();
            var result = LlcStageFinder.Find(steps, noisy);
            Assert.Equal([StageTrend.Flat, StageTrend.Rising, StageTrend.Flat, StageTrend.Rising, StageTrend.Flat], result.Stages.Select(s => s.Trend));
        }
    }

    [Fact]
    public void PureNoiseIsOneFlatStage()
    {
        var steps = LogSpacedSteps();
        int single = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var rng = new Random(300 + seed);
            var result = LlcStageFinder.Find(steps, steps.Select(_ => 5 + SyntheticSignals.Gaussian(rng)).ToArray());
            if (result.Stages.Count == 1 && result.Stages[0].Trend == StageTrend.Flat) single++;
            if (result.Stages.Count == 1) Assert.Empty(result.CriticalPoints); // the noisy slope's sign changes are not peaks
        }
        Assert.True(single >= 19, $"{single}/20 noise-only curves came out as one flat stage");
    }

    [Fact]
    public void AConstantCurveIsOneFlatStage()
    {
        var steps = LogSpacedSteps();
        var result = LlcStageFinder.Find(steps, steps.Select(_ => 0.1 * 3).ToArray());
        var stage = Assert.Single(result.Stages);
        Assert.Equal(StageTrend.Flat, stage.Trend);
        Assert.Empty(result.CriticalPoints);
    }

    [Fact]
    public void ARiseThenFallHasACriticalPointAtThePeak()
    {
        // LLC grows until step 1,000 and then shrinks (type A then type B), a smooth bump in log step.
        var steps = LogSpacedSteps();
        var values = steps.Select(s => 20 * Math.Exp(-Math.Pow((Math.Log(s + 1) - Math.Log(1000)) / 2, 2))).ToArray();
        var result = LlcStageFinder.Find(steps, values);

        var peak = Assert.Single(result.CriticalPoints);
        Assert.True(peak.IsMaximum);
        Assert.InRange(Math.Log(peak.Step), Math.Log(1000) - 0.1, Math.Log(1000) + 0.1);
        var trends = result.Stages.Select(s => s.Trend).ToArray();
        int rising = Array.IndexOf(trends, StageTrend.Rising), falling = Array.IndexOf(trends, StageTrend.Falling);
        Assert.True(rising >= 0 && falling > rising, string.Join(", ", trends));
        Assert.True(result.Stages[rising].ValueChange > 5);
        Assert.True(result.Stages[falling].ValueChange < -5);
        // The boundary between rising and falling lies at the peak (± a flat run around it).
        Assert.InRange(result.Stages[rising].EndStep, 300, 1000);

        // Upside down it is a trough.
        var trough = Assert.Single(LlcStageFinder.Find(steps, values.Select(v => -v).ToArray()).CriticalPoints);
        Assert.False(trough.IsMaximum);
        Assert.Equal(peak.Step, trough.Step);
    }

    [Fact]
    public void TheSlopeIsExactForALineInLogStep()
    {
        // v = 3 ln(step + 1) + 2: the local-linear fit reproduces a straight line exactly, ends included.
        var steps = LogSpacedSteps();
        var result = LlcStageFinder.Find(steps, steps.Select(s => 3 * Math.Log(s + 1) + 2).ToArray());
        Assert.All(result.Slopes, s => Assert.Equal(3, s, 9));
        for (int i = 0; i < steps.Length; i++) Assert.Equal(3 * Math.Log(steps[i] + 1) + 2, result.Smoothed[i], 9);
        var stage = Assert.Single(result.Stages);
        Assert.Equal(StageTrend.Rising, stage.Trend);
    }

    [Fact]
    public void StepZeroIsShiftedOrDropped()
    {
        long[] steps = [0, 1, 3, 10, 30, 100, 300, 1000];
        var values = steps.Select(s => (double)s).ToArray();
        var shifted = LlcStageFinder.Find(steps, values);
        Assert.Equal(0, shifted.LogSteps[0]);
        Assert.Equal(Math.Log(2), shifted.LogSteps[1], 14);
        var dropped = LlcStageFinder.Find(steps, values, new LlcStageOptions(StepZero: StepZeroHandling.Drop));
        Assert.Equal(steps.Skip(1), dropped.Steps);
        Assert.Equal(0, dropped.LogSteps[0]);
    }

    [Fact]
    public void ShortFlickersAreMergedIntoTheirNeighbours()
    {
        // Labels R R R R F R R R F F F F: the lone flat checkpoint joins the rising runs around it.
        var runs = StageRuns.Merge(StageRuns.Of(
        [
            StageTrend.Rising, StageTrend.Rising, StageTrend.Rising, StageTrend.Rising, StageTrend.Flat,
            StageTrend.Rising, StageTrend.Rising, StageTrend.Rising, StageTrend.Flat, StageTrend.Flat, StageTrend.Flat, StageTrend.Flat,
        ]), 3);
        Assert.Equal([new StageRuns.Run(0, 8, StageTrend.Rising), new StageRuns.Run(8, 4, StageTrend.Flat)], runs);
        // R R R R F F R R R: two flats between rises are still merged (shorter than 3); with a minimum of 2 they stay.
        StageTrend[] labels = [StageTrend.Rising, StageTrend.Rising, StageTrend.Rising, StageTrend.Rising, StageTrend.Flat, StageTrend.Flat, StageTrend.Rising, StageTrend.Rising, StageTrend.Rising];
        Assert.Single(StageRuns.Merge(StageRuns.Of(labels), 3));
        Assert.Equal(3, StageRuns.Merge(StageRuns.Of(labels), 2).Count);
    }

    [Fact]
    public void BadInputIsRejectedWithAClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => LlcStageFinder.Find([0, 10, 10, 20], [1, 2, 3, 4]));
        Assert.Contains("strictly increasing; 10 at index 2 follows 10", e.Message);
        e = Assert.Throws<ArgumentException>(() => LlcStageFinder.Find([0, 10, 20], [1, double.NaN, 3]));
        Assert.Contains("value at step 10 is NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => LlcStageFinder.Find([0, 10, 20], [1, 2]));
        Assert.Contains("2 values for 3 steps", e.Message);
        e = Assert.Throws<ArgumentException>(() => LlcStageFinder.Find([0, 10, 20], [1, 2, 3], new LlcStageOptions(StepZero: StepZeroHandling.Drop)));
        Assert.Contains("at least 3 checkpoints", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LlcStageFinder.Find([1, 10, 20], [1, 2, 3], new LlcStageOptions(Bandwidth: 0)));
    }
}
