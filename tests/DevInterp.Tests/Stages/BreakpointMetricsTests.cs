using DevInterp.Stages.Metrics;

namespace DevInterp.Tests.Stages;

public class BreakpointMetricsTests
{
    private static readonly int[] True = [100, 200, 350, 400, 500];
    private static readonly int[] Found = [101, 201, 301, 401, 500];

    [Fact]
    public void MatchesTheRupturesFixture()
    {
        // Values ruptures gives for this pair (n = 500).
        Assert.Equal(49, BreakpointMetrics.Hausdorff(True, Found));
        Assert.Equal(0.9359118236, BreakpointMetrics.RandIndex(True, Found), 10);
        var pr = BreakpointMetrics.PrecisionRecall(True, Found, margin: 10);
        Assert.Equal(0.75, pr.Precision);
        Assert.Equal(0.75, pr.Recall);
        Assert.Equal(3, pr.TruePositives);
        Assert.Equal(0.75, pr.F1, 12);
    }

    [Fact]
    public void RandIndexEqualsThePairCountingDefinition()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 20; trial++)
        {
            int length = rng.Next(2, 60);
            int[] a = RandomBreakpoints(rng, length), b = RandomBreakpoints(rng, length);
            int[] la = Labels(a), lb = Labels(b);
            long agree = 0, pairs = 0;
            for (int i = 0; i < length; i++)
                for (int j = i + 1; j < length; j++, pairs++)
                    if ((la[i] == la[j]) == (lb[i] == lb[j])) agree++;
            Assert.Equal((double)agree / pairs, BreakpointMetrics.RandIndex(a, b), 12);
            Assert.Equal(BreakpointMetrics.RandIndex(a, b), BreakpointMetrics.RandIndex(b, a), 14);
        }
    }

    private static int[] RandomBreakpoints(Random rng, int length) =>
        Enumerable.Range(1, length - 1).Where(_ => rng.NextDouble() < 0.15).Append(length).ToArray();

    private static int[] Labels(int[] breakpoints)
    {
        var labels = new int[breakpoints[^1]];
        int start = 0;
        for (int k = 0; k < breakpoints.Length; k++)
        {
            for (int t = start; t < breakpoints[k]; t++) labels[t] = k;
            start = breakpoints[k];
        }
        return labels;
    }

    [Fact]
    public void TheMarginIsStrictAndEachFoundPointIsUsedOnce()
    {
        // |100 − 110| = 10 is not within a margin of 10; 11 is.
        Assert.Equal(0, BreakpointMetrics.PrecisionRecall([100, 300], [110, 300], margin: 10).TruePositives);
        Assert.Equal(1, BreakpointMetrics.PrecisionRecall([100, 300], [110, 300], margin: 11).TruePositives);
        // One found point near two true points detects only the first.
        var shared = BreakpointMetrics.PrecisionRecall([100, 104, 300], [102, 300], margin: 10);
        Assert.Equal((1.0, 0.5), (shared.Precision, shared.Recall));
        // As in ruptures, the first true point uses up every free found point within its margin: 95 takes 100 and
        // 104, so 100 is left undetected although a one-to-one matching would detect both.
        var greedy = BreakpointMetrics.PrecisionRecall([95, 100, 300], [100, 104, 300], margin: 10);
        Assert.Equal((0.5, 0.5), (greedy.Precision, greedy.Recall));
    }

    [Fact]
    public void EmptySegmentationsFollowTheDocumentedConventions()
    {
        Assert.Equal((0.0, 0.0), Tuple(BreakpointMetrics.PrecisionRecall([50, 100], [100])));
        Assert.Equal((0.0, 0.0), Tuple(BreakpointMetrics.PrecisionRecall([100], [50, 100])));
        Assert.Equal(0, BreakpointMetrics.Hausdorff([100], [100]));
        Assert.Equal(double.PositiveInfinity, BreakpointMetrics.Hausdorff([100], [40, 100]));
        Assert.Equal(1, BreakpointMetrics.RandIndex([100], [100]));
        static (double, double) Tuple(PrecisionRecall p) => (p.Precision, p.Recall);
    }

    [Fact]
    public void InvalidBreakpointListsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => BreakpointMetrics.RandIndex([100, 200], [100, 250]));
        Assert.Contains("different lengths (200 and 250)", e.Message);
        Assert.Throws<ArgumentException>(() => BreakpointMetrics.Hausdorff([200, 100, 300], [300]));
        Assert.Throws<ArgumentException>(() => BreakpointMetrics.Hausdorff([], [300]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BreakpointMetrics.PrecisionRecall([300], [300], margin: 0));
    }
}
