using DevInterp.Stages;
using DevInterp.Stages.Costs;

namespace DevInterp.Tests.Stages;

/// <summary>Each cost against a direct, definition-level computation on random segments.</summary>
public class CostTests
{
    private static readonly double[,] Signal = SyntheticSignals.PiecewiseConstant([17, 40, 61], 3, jump: 2, sigma: 1, seed: 4);

    private static IEnumerable<(int Start, int End)> Segments()
    {
        var rng = new Random(12);
        for (int i = 0; i < 40; i++)
        {
            int a = rng.Next(0, 60), b = rng.Next(0, 61);
            if (Math.Abs(a - b) < 2) continue;
            yield return (Math.Min(a, b), Math.Max(a, b));
        }
        yield return (0, 61);
    }

    private static double[] Row(int t) => Enumerable.Range(0, Signal.GetLength(1)).Select(j => Signal[t, j]).ToArray();

    private static double[] Mean(int start, int end) =>
        Enumerable.Range(0, Signal.GetLength(1)).Select(j => Enumerable.Range(start, end - start).Average(t => Signal[t, j])).ToArray();

    [Fact]
    public void L2IsTheSumOfSquaredDeviationsFromTheSegmentMean()
    {
        var cost = L2Cost.Fit(Signal);
        foreach (var (s, e) in Segments())
        {
            var mean = Mean(s, e);
            double direct = Enumerable.Range(s, e - s).Sum(t => Row(t).Select((x, j) => (x - mean[j]) * (x - mean[j])).Sum());
            Assert.Equal(direct, cost.Cost(s, e), 10);
        }
    }

    [Fact]
    public void L1IsTheSumOfAbsoluteDeviationsFromTheSegmentMedian()
    {
        var cost = L1Cost.Fit(Signal);
        foreach (var (s, e) in Segments())
        {
            double direct = 0;
            for (int j = 0; j < Signal.GetLength(1); j++)
            {
                var column = Enumerable.Range(s, e - s).Select(t => Signal[t, j]).Order().ToArray();
                double median = column.Length % 2 == 1 ? column[column.Length / 2] : (column[column.Length / 2 - 1] + column[column.Length / 2]) / 2;
                direct += column.Sum(x => Math.Abs(x - median));
            }
            Assert.Equal(direct, cost.Cost(s, e), 10);
        }
    }

    [Fact]
    public void NormalIsSegmentLengthTimesLogDeterminantOfTheRidgedCovariance()
    {
        var cost = NormalCost.Fit(Signal);
        var noise = NoiseScale.Estimate(Signal);
        Assert.Equal(noise.Select(s => CostOptions.DefaultNormalRidge * s * s), cost.Ridge);
        foreach (var (s, e) in Segments())
        {
            int n = e - s, d = Signal.GetLength(1);
            var mean = Mean(s, e);
            var cov = new double[d, d];
            for (int t = s; t < e; t++)
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) cov[i, j] += (Signal[t, i] - mean[i]) * (Signal[t, j] - mean[j]) / n;
            for (int i = 0; i < d; i++) cov[i, i] += cost.Ridge[i];
            // 3 × 3 determinant by cofactors.
            double det = cov[0, 0] * (cov[1, 1] * cov[2, 2] - cov[1, 2] * cov[2, 1])
                       - cov[0, 1] * (cov[1, 0] * cov[2, 2] - cov[1, 2] * cov[2, 0])
                       + cov[0, 2] * (cov[1, 0] * cov[2, 1] - cov[1, 1] * cov[2, 0]);
            Assert.Equal(n * Math.Log(det), cost.Cost(s, e), 9);
        }
    }

    [Fact]
    public void RbfIsTheFeatureSpaceScatterWithTheMedianHeuristicBandwidth()
    {
        var cost = RbfCost.Fit(Signal);
        int length = Signal.GetLength(0);
        var squared = new List<double>();
        double Sq(int a, int b) => Row(a).Zip(Row(b), (x, y) => (x - y) * (x - y)).Sum();
        for (int a = 0; a < length; a++)
            for (int b = a + 1; b < length; b++) squared.Add(Sq(a, b));
        squared.Sort();
        double median = (squared[squared.Count / 2 - 1] + squared[squared.Count / 2]) / 2; // 61·60/2 = 1830 pairs: even
        Assert.Equal(1 / median, cost.Gamma, 14);
        foreach (var (s, e) in Segments())
        {
            int n = e - s;
            double block = 0;
            for (int a = s; a < e; a++)
                for (int b = s; b < e; b++) block += Math.Exp(-cost.Gamma * Sq(a, b));
            Assert.Equal(n - block / n, cost.Cost(s, e), 9);
        }
        double adjacent = Enumerable.Range(0, length - 1).Average(t => 1 - Math.Exp(-cost.Gamma * Sq(t, t + 1)));
        Assert.Equal(adjacent, cost.MeanAdjacentDissimilarity, 12);
    }

    [Fact]
    public void BatchCostsEqualSingleCosts()
    {
        int[] starts = [0, 3, 4, 10, 22, 30, 41];
        foreach (var kind in Enum.GetValues<CostKind>())
        {
            var cost = SegmentCosts.Fit(kind, Signal);
            var batch = new double[starts.Length];
            cost.CostsTo(45, starts, batch);
            for (int i = 0; i < starts.Length; i++) Assert.Equal(cost.Cost(starts[i], 45), batch[i], 9);
        }
    }

    [Fact]
    public void CostsAreShiftInvariantAndSplittingNeverCostsMore()
    {
        var shifted = (double[,])Signal.Clone();
        for (int t = 0; t < shifted.GetLength(0); t++) shifted[t, 1] += 1e4;
        foreach (var kind in Enum.GetValues<CostKind>())
        {
            var cost = SegmentCosts.Fit(kind, Signal);
            var moved = SegmentCosts.Fit(kind, shifted);
            foreach (var (s, e) in Segments())
            {
                Assert.Equal(cost.Cost(s, e), moved.Cost(s, e), 6);
                if (e - s >= 4)
                {
                    int mid = (s + e) / 2;
                    Assert.True(cost.Cost(s, mid) + cost.Cost(mid, e) <= cost.Cost(s, e) + 1e-9, $"{kind} [{s}, {mid}, {e})");
                }
            }
        }
    }

    [Fact]
    public void CostsRejectSegmentsOutsideTheSignal()
    {
        foreach (var kind in Enum.GetValues<CostKind>())
        {
            var cost = SegmentCosts.Fit(kind, Signal);
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => cost.Cost(50, 70));
            Assert.Contains("must lie in [0, 61)", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => cost.Cost(5, 5));
        }
        Assert.Throws<ArgumentException>(() => SegmentCosts.Parse("l3"));
        Assert.Equal(CostKind.Rbf, SegmentCosts.Parse("RBF"));
        Assert.Throws<ArgumentException>(() => RbfCost.Fit(new double[RbfCost.MaxLength + 1, 1]));
    }
}
