using DevInterp.Stages.Trends;

namespace DevInterp.Tests.Stages;

/// <summary>Trend breaks under the noise model (docs/stages.md, "Trend breaks").</summary>
public class TrendBreaksTests
{
    /// <summary>The dln demo run's schedule: 0–12 one by one, then gaps growing by ~24% each, to 5000.</summary>
    private static readonly long[] LogGrid =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 20, 25, 32, 40, 50, 62, 78, 97, 121, 151, 188, 234, 291, 363, 452, 562,
        700, 871, 1083, 1348, 1677, 2087, 2596, 3230, 4019, 5000,
    ];

    private static double[] Noisy(IEnumerable<double> values, double sigma, int seed)
    {
        var rng = new Random(seed);
        return values.Select(v => v + sigma * SyntheticSignals.Gaussian(rng)).ToArray();
    }

    [Fact]
    public void ALogScheduleGetsALogAxisAndAnEvenOneALinearAxis()
    {
        var log = TimeAxis.For(LogGrid);
        Assert.False(log.IsLinear);
        Assert.InRange(log.Offset, 1, 10);
        var even = TimeAxis.For(Enumerable.Range(0, 100).Select(i => 200L * i).ToArray());
        Assert.True(even.IsLinear);
        Assert.Equal(0, even.Spread, 12);
        // Every 100 steps to 2000, then every 400: a smooth compromise, neither of the two.
        var uneven = TimeAxis.For(Enumerable.Range(0, 21).Select(i => 100L * i).Concat(Enumerable.Range(1, 40).Select(i => 2000L + 400 * i)).ToArray());
        Assert.False(uneven.IsLinear);
        Assert.InRange(uneven.Offset, 1000, 100_000);
    }

    [Fact]
    public void TheCostIsTheResidualOfTheLeastSquaresLine()
    {
        var rng = new Random(3);
        var x = Enumerable.Range(0, 30).Select(i => Math.Log(1 + i * 7.0)).ToArray();
        var y = x.Select(v => 3 - 0.5 * v + SyntheticSignals.Gaussian(rng)).ToArray();
        var cost = LinearTrendCost.Fit(x, y);
        foreach (var (a, b) in new[] { (0, 30), (3, 9), (10, 12), (17, 29) })
        {
            // Brute force: the line through the segment by the normal equations, then its squared residuals.
            var (intercept, slope) = TrendBreaks.Line(x, y, a, b);
            double expected = Enumerable.Range(a, b - a).Sum(i => Math.Pow(y[i] - intercept - slope * x[i], 2));
            Assert.Equal(expected, cost.Cost(a, b), 9);
        }
        Assert.Equal(0, cost.Cost(5, 7), 12); // two points: a line fits exactly
    }

    [Fact]
    public void TheNoiseLevelIsTheNoiseAroundASmoothTrendOnAnUnevenGrid()
    {
        var x = LogGrid.Select(s => Math.Log(1 + s / 2.0)).ToArray();
        // A smooth bend plus noise of σ = 0.05: the estimate is near 0.05 whatever the trend.
        var sigmas = Enumerable.Range(0, 40).Select(seed => NoiseLevel.Estimate(x, Noisy(x.Select(v => Math.Sin(v / 2)), 0.05, seed))).ToArray();
        Assert.InRange(sigmas.Average(), 0.04, 0.06);
        // A noiseless straight line with one jump: nothing (the jump's two pseudo-residuals are ignored).
        Assert.Equal(0, NoiseLevel.Estimate(x, x.Select((v, i) => 2 * v + (i > 20 ? 5 : 0)).ToArray()), 9);
    }

    [Fact]
    public void AStaircaseBreaksAtTheFirstCheckpointOfEachNewLevel()
    {
        // The dln demo's loss: five plateaus, each drop inside one checkpoint interval.
        long[] drops = [151, 363, 1083, 2596];
        var values = LogGrid.Select(s => -1.3 * drops.Count(d => s >= d)).ToArray();
        var found = TrendBreaks.Find(LogGrid, Noisy(values, 0.01, 1));
        Assert.Equal(drops, found.BreakSteps);
        Assert.Empty(found.Rejected);
        Assert.All(found.Breaks, b => Assert.True(b.Magnitude >= b.Bar));
    }

    [Fact]
    public void KneesOfASteadyFallAreFoundAtTheOnsetAndTheEndOfTheChange()
    {
        // Flat to step 100, falling straight in log step to 1000, flat again: two regime changes, nothing else.
        var x = LogGrid.Select(s => Math.Log(1 + s / 2.0)).ToArray();
        double x0 = Math.Log(1 + 100 / 2.0), x1 = Math.Log(1 + 1000 / 2.0);
        var values = x.Select(v => -Math.Clamp((v - x0) / (x1 - x0), 0, 1)).ToArray();
        var found = TrendBreaks.Find(LogGrid, Noisy(values, 0.005, 2));
        Assert.Equal(2, found.Breaks.Count);
        Assert.InRange(found.Breaks[0].Step, 78, 121);
        Assert.InRange(found.Breaks[1].Step, 871, 1348);
    }

    [Fact]
    public void ABreakIsAChangeOfRateOnlyWhenBothSidesMoveTheSameWayWithoutAStep()
    {
        var x = LogGrid.Select(s => Math.Log(1 + s / 2.0)).ToArray();
        double knee = Math.Log(1 + 300 / 2.0);
        // A fall that slows to a third of its rate at step 300, no plateau on either side: a change of rate.
        var slower = TrendBreaks.Find(LogGrid, x.Select(v => v < knee ? -v : -knee - (v - knee) / 3).ToArray());
        var b = Assert.Single(slower.Breaks);
        Assert.True(b.IsRateChange);
        Assert.Null(b.Turn);
        Assert.Equal([b.Step], slower.RateChangeSteps);
        // The same fall ending in a plateau, or stepping down by a third of the range at the same place: changes of state.
        Assert.False(Assert.Single(TrendBreaks.Find(LogGrid, x.Select(v => -Math.Min(v, knee)).ToArray()).Breaks).IsRateChange);
        var stepped = TrendBreaks.Find(LogGrid, x.Select(v => v < knee ? -v : -knee - (v - knee) / 3 - 2).ToArray());
        Assert.False(Assert.Single(stepped.Breaks).IsRateChange);
    }

    [Fact]
    public void AReversalIsPutAtTheCurvesExtremeValue()
    {
        // A rounded peak at step 178 of the grokking schedule (the LLC of the grok demo: up 0 → 1.85, then down to 0):
        // the two lines meet past it, the boundary is the peak.
        var steps = GrokGrid();
        var x = steps.Select(s => Math.Log(1 + s / 200.0)).ToArray();
        double peak = Math.Log(1 + 178 / 200.0);
        var y = x.Select(v => 1.85 * Math.Exp(-Math.Pow((v - peak) / (v < peak ? 0.35 : 0.6), 2))).ToArray();
        var found = TrendBreaks.Find(steps, y, new TrendBreakOptions(0.1, 0.5));
        var b = Assert.Single(found.Breaks, b => b.Turn is not null);
        Assert.False(b.IsRateChange);
        long atPeak = steps[Array.IndexOf(y, y.Max())];
        Assert.Equal(atPeak, b.Turn);
        Assert.True(b.Step > atPeak, $"the lines meet at {b.Step}, past the peak");
        Assert.Contains(atPeak, found.BoundarySteps);
        Assert.DoesNotContain(b.Step, found.BoundarySteps);
    }

    [Fact]
    public void ALossThatMovesBy1e5To1e7CutsNothing()
    {
        // The grokking test loss over memorisation: at chance level (ln 113 = 4.727), with steps of 10⁻⁵, 10⁻⁶ and
        // 10⁻⁷ that a curve without noise makes look like changes; its range is 1.1·10⁻⁵, so a floor relative to the range
        // alone would cut all three. The absolute floor (a 5% change of the loss) does not.
        var values = LogGrid.Select(s => Math.Log(4.727 - 1e-5 * (s >= 40 ? 1 : 0) - 1e-6 * (s >= 291 ? 1 : 0) - 1e-7 * (s >= 2087 ? 1 : 0))).ToArray();
        var found = TrendBreaks.Find(LogGrid, values, new TrendBreakOptions(AbsoluteFloor: 0.05));
        Assert.Empty(found.Breaks);
        Assert.Single(found.Segments);
        // The same curve without the absolute floor is exactly the failure: every step is a "change" of its tiny range.
        Assert.NotEmpty(TrendBreaks.Find(LogGrid, values, new TrendBreakOptions(AbsoluteFloor: 0)).Breaks);
    }

    [Fact]
    public void ASmoothDecayCutsNothing()
    {
        // A power law is straight on the log axis: one trend, from 30 to 0.03 (ln range 6.9) with noise.
        var power = LogGrid.Select(s => Math.Log(30 * Math.Pow(1 + s / 2.0, -0.87))).ToArray();
        Assert.Empty(TrendBreaks.Find(LogGrid, Noisy(power, 0.02, 3), new TrendBreakOptions(AbsoluteFloor: 0.05)).Breaks);
        // A loss that only creeps down by 10⁻⁶ of its value.
        var creep = LogGrid.Select(s => Math.Log(2 + 1e-6 * Math.Exp(-s / 500.0))).ToArray();
        Assert.Empty(TrendBreaks.Find(LogGrid, creep, new TrendBreakOptions(AbsoluteFloor: 0.05)).Breaks);
    }

    [Fact]
    public void AChangeOfSpacingIsNotATransition()
    {
        // Every 100 steps to 5000, then every 1000 to 50,000; the curve falls steadily with the step. On the checkpoint
        // index it would bend at 5000; on the time axis it does not.
        long[] steps = [.. Enumerable.Range(0, 51).Select(i => 100L * i), .. Enumerable.Range(1, 45).Select(i => 5000L + 1000 * i)];
        var values = steps.Select(s => 3 - s / 10_000.0).ToArray();
        var found = TrendBreaks.Find(steps, Noisy(values, 0.01, 4));
        Assert.Empty(found.Breaks);
    }

    [Fact]
    public void NoBreakLiesWithinTheMinimumTrendOfEitherEnd()
    {
        // A jump between the last two checkpoints (a smoothing edge would make one): too close to the end to be a stage.
        var values = LogGrid.Select((s, i) => i >= LogGrid.Length - 1 ? 5.0 : 0.0).ToArray();
        var found = TrendBreaks.Find(LogGrid, values);
        Assert.All(found.Breaks, b => Assert.InRange(b.Index, 3, LogGrid.Length - 3));
    }

    [Fact]
    public void PureNoiseCutsNothing()
    {
        int spurious = 0;
        for (int seed = 0; seed < 50; seed++)
            spurious += TrendBreaks.Find(LogGrid, Noisy(new double[LogGrid.Length], 1, seed)).Breaks.Count;
        Assert.True(spurious <= 3, $"{spurious} breaks in 50 pure-noise curves"); // measured: 6 breaks in 5 of 200 seeds
    }

    [Fact]
    public void TheMeasurementErrorRaisesTheBar()
    {
        // A rise of 2 on an LLC whose estimates have a standard error of 1: below 4 standard errors of the two trends' difference.
        var values = LogGrid.Select(s => s >= 700 ? 12.0 : 10.0).ToArray();
        Assert.Single(TrendBreaks.Find(LogGrid, values, new TrendBreakOptions(AbsoluteFloor: 0.5)).Breaks);
        Assert.Empty(TrendBreaks.Find(LogGrid, values, new TrendBreakOptions(AbsoluteFloor: 0.5, NoiseFloor: 1)).Breaks);
    }

    [Fact]
    public void BadOptionsNameTheOption()
    {
        Assert.Contains("MinSegmentSize", Assert.Throws<ArgumentOutOfRangeException>(() => TrendBreaks.Find(LogGrid, new double[LogGrid.Length], new TrendBreakOptions(MinSegmentSize: 2))).Message);
        Assert.Contains("value at step 3", Assert.Throws<ArgumentException>(() => TrendBreaks.Find(LogGrid, LogGrid.Select(s => s == 3 ? double.NaN : 0).ToArray())).Message);
    }
    /// <summary>The grokking demo run's schedule: 112 steps evenly spaced in ln(300 + step) from 0 to 5000.</summary>
    private static long[] GrokGrid() => Enumerable.Range(0, 112)
        .Select(i => (long)Math.Round(300 * Math.Exp(i / 111.0 * Math.Log(5300 / 300.0)) - 300)).Distinct().ToArray();

    [Fact]
    public void ASmoothHumpAndDecayToAFloorIsCurvatureOnOneAxisOrTheOtherNotAStage()
    {
        // The grokking run's test loss: ln(loss) climbs, peaks near step 250 and decays to a floor, all smoothly. On the log
        // axis its two long trends are far from any one parabola; near each candidate break, and in the step or in ln(step),
        // a parabola follows it. No break.
        var steps = GrokGrid();
        var y = steps.Select(t => Math.Log(0.15 + 9 * (t / 250.0) * Math.Exp(1 - t / 250.0) * 0.5 + 3 * Math.Exp(-t / 900.0))).ToArray();
        var found = TrendBreaks.Find(steps, y, new TrendBreakOptions(0.1, 0.05));
        Assert.Empty(found.Breaks);
        // A kink in the same place is kept, on either axis: flat, then a straight fall in the step, then flat.
        var kinked = steps.Select(t => t < 1000 ? 1.0 : t < 2500 ? 1 - (t - 1000) / 1500.0 : 0).ToArray();
        var kinks = TrendBreaks.Find(steps, kinked, new TrendBreakOptions(0.1, 0.02));
        Assert.Equal(2, kinks.Breaks.Count);
        Assert.All(kinks.Breaks.Zip(new[] { 1000L, 2500L }), p => Assert.InRange(p.First.Step, p.Second - 80, p.Second + 150));
    }
}
