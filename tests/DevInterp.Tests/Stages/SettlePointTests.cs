using DevInterp.Stages.Trends;

namespace DevInterp.Tests.Stages;

/// <summary>Where a curve settles (docs/stages.md, "Where a curve settles").</summary>
public class SettlePointTests
{
    private static double[] Positions(int n) => Enumerable.Range(0, n).Select(i => (double)i).ToArray();

    [Fact]
    public void ACurveSettlesWhereWhatRemainsOfItSpansLessThanTheBar()
    {
        // An exponential approach to 1: 1 − e^(−t/10), t = 0…99. What remains after t spans e^(−t/10) − e^(−9.9); below 0.1
        // from t = 24 (e^(−2.4) = 0.0907) and not at t = 23 (0.1003).
        var values = Enumerable.Range(0, 100).Select(t => 1 - Math.Exp(-t / 10.0)).ToArray();
        Assert.Equal(24, SettlePoint.Find(Positions(100), values, 0.1));
        // Brute force: the first index whose suffix spans less than the bar, at several bars.
        foreach (double bar in new[] { 0.5, 0.05, 0.01 })
        {
            int expected = Enumerable.Range(0, 100).First(i => values.Skip(i).Max() - values.Skip(i).Min() < bar);
            Assert.Equal(expected, SettlePoint.Find(Positions(100), values, bar));
        }
    }

    [Fact]
    public void ABlipAfterThePlateauCountsAndACurveStillMovingHasNotSettled()
    {
        // A late excursion of the bar's size reopens the curve: it settles only after it.
        var blip = Enumerable.Range(0, 50).Select(t => t == 40 ? 0.3 : 0.0).ToArray();
        Assert.Equal(41, SettlePoint.Find(Positions(50), blip, 0.2));
        Assert.Equal(0, SettlePoint.Find(Positions(50), blip, 0.5)); // smaller than the bar: it never moved
        // A steady rise of 0.0107 per point: its last 10 points span 0.096 < 0.1, but a 0.1 move took 10 intervals before
        // them and they last 9 — it is still moving, not settled. With a bar of 0.005 even the last pair moves by more.
        var rising = Enumerable.Range(0, 50).Select(t => t * 0.0107).ToArray();
        Assert.Null(SettlePoint.Find(Positions(50), rising, 0.1));
        Assert.Null(SettlePoint.Find(Positions(50), rising, 0.005));
        // The same rise stopping at t = 30: settled from t = 21 (what remains, 21 → 30, spans 0.096), since the 28 intervals
        // after it outlast the 10 it took to move by 0.1 (from t = 11).
        var stops = Enumerable.Range(0, 50).Select(t => Math.Min(t, 30) * 0.0107).ToArray();
        Assert.Equal(21, SettlePoint.Find(Positions(50), stops, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SettlePoint.Find(Positions(50), rising, 0));
    }
}
