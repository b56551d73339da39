using DevInterp.Dynamics;
using DevInterp.Numerics;

namespace DevInterp.Tests.Dynamics;

public class TrajectorySmoothingTests
{
    private static ReadOnlyMatrix Path(int t, Func<int, double> x, Func<int, double> y)
    {
        var m = new double[t, 2];
        for (int i = 0; i < t; i++) (m[i, 0], m[i, 1]) = (x(i), y(i));
        return ReadOnlyMatrix.From(m);
    }

    private static long[] Steps(int t) => Enumerable.Range(0, t).Select(i => (long)i).ToArray();

    [Fact]
    public void SigmaZeroIsTheIdentity()
    {
        var p = Path(10, i => Math.Sin(i), i => i * i);
        var s = TrajectorySmoothing.Smooth(Steps(10), p, new TrajectorySmoothingOptions(0));
        Assert.Equal(p.ToArray(), s.ToArray());
    }

    [Fact]
    public void LinearMotionIsPreservedAwayFromTheEnds()
    {
        // A symmetric kernel averages a linear function to itself wherever its window (6σ) fits inside the run.
        var p = Path(40, i => 3 + 0.5 * i, i => -2 * i);
        var s = TrajectorySmoothing.Smooth(Steps(40), p, new TrajectorySmoothingOptions(2));
        for (int i = 12; i < 28; i++)
        {
            Assert.Equal(p[i, 0], s[i, 0], 1e-9);
            Assert.Equal(p[i, 1], s[i, 1], 1e-9);
        }
        // At the start only later checkpoints exist, so the first point is pulled forward.
        Assert.True(s[0, 0] > p[0, 0]);
    }

    [Fact]
    public void KnownWeightsForOneNeighbourEachSide()
    {
        // σ = 1 on index: weights e^(−½) : 1 : e^(−½) for the middle of three points (the ends see fewer).
        var p = Path(3, i => i == 1 ? 1 : 0, _ => 0);
        var s = TrajectorySmoothing.Smooth(Steps(3), p, new TrajectorySmoothingOptions(1));
        double w = Math.Exp(-0.5), wFar = Math.Exp(-2);
        Assert.Equal(1 / (1 + 2 * w), s[1, 0], 1e-12);
        Assert.Equal(w / (1 + w + wFar), s[0, 0], 1e-12);
    }

    [Fact]
    public void LogStepSmoothingOfLogSpacedCheckpointsIsIndexSmoothing()
    {
        // Steps 2^t − 1 are evenly spaced in ln(step + 1) with spacing ln 2.
        var steps = Enumerable.Range(0, 16).Select(t => (1L << t) - 1).ToArray();
        var p = Path(16, i => Math.Cos(0.4 * i), i => Math.Sin(0.3 * i) * i);
        var byLog = TrajectorySmoothing.Smooth(steps, p, new TrajectorySmoothingOptions(1.5 * Math.Log(2), SmoothingAxis.LogStep));
        var byIndex = TrajectorySmoothing.Smooth(steps, p, new TrajectorySmoothingOptions(1.5, SmoothingAxis.Index));
        for (int i = 0; i < 16; i++)
            for (int c = 0; c < 2; c++) Assert.Equal(byIndex[i, c], byLog[i, c], 1e-12);
        // The same σ on the index axis would smooth differently: the axes are not interchangeable.
        var other = TrajectorySmoothing.Smooth(steps, p, new TrajectorySmoothingOptions(1.5 * Math.Log(2), SmoothingAxis.Index));
        Assert.True(Math.Abs(other[5, 0] - byLog[5, 0]) > 1e-3);
    }

    [Fact]
    public void StepsMustIncrease()
    {
        var p = Path(3, i => i, i => i);
        var e = Assert.Throws<ArgumentException>(() => TrajectorySmoothing.Smooth([0, 5, 5], p, new TrajectorySmoothingOptions()));
        Assert.Contains("step 5 follows 5", e.Message);
    }
}
