using DevInterp.Stages.Trends;

namespace DevInterp.Tests.Stages;

/// <summary>Where a curve settles (docs/stages.md, "Where a curve settles").</summary>
public class SettlePointTests
{
    [Fact]
    public void ACurveSettlesWhereWhatRemainsOfItSpansLessThanTheBar()
    {
        // An exponential approach to 1: 1 − e^(−t/10), t = 0…99. What remains after t spans e^(−t/10) − e^(−9.9); below 0.1
        // from t = 24 (e^(−2.4) = 0.0907) and not at t = 23 (0.1003).
        var values = Enumerable.Range(0, 100).Select(t => 1 - Math.Exp(-t / 10.0)).ToArray();
        Assert.Equal(24, SettlePoint.Find(values, 0.1));
        // Brute force: the first index whose suffix spans less than the bar, at several bars.
        foreach (double bar in new[] { 0.5, 0.05, 0.01 })
        {
            int expected = Enumerable.Range(0, 100).First(i => values.Skip(i).Max() - values.Skip(i).Min() < bar);
            Assert.Equal(expected, SettlePoint.Find(values, bar));
        }
    }

    [Fact]
    public void ABlipAfterThePlateauCountsAndACurveStillMovingHasNotSettled()
    {
        // A late excursion of the bar's size reopens the curve: it settles only after it.
        var blip = Enumerable.Range(0, 50).Select(t => t == 40 ? 0.3 : 0.0).ToArray();
        Assert.Equal(41, SettlePoint.Find(blip, 0.2));
        Assert.Equal(0, SettlePoint.Find(blip, 0.5)); // smaller than the bar: it never moved
        var rising = Enumerable.Range(0, 50).Select(t => t * 0.01).ToArray();
        Assert.Null(SettlePoint.Find(rising, 0.005)); // every step moves it by more than the bar
        Assert.Throws<ArgumentOutOfRangeException>(() => SettlePoint.Find(rising, 0));
    }
}
