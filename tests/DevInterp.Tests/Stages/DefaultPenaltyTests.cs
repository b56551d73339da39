using DevInterp.Stages;
using DevInterp.Stages.Costs;
using DevInterp.Stages.Search;

namespace DevInterp.Tests.Stages;

public class DefaultPenaltyTests
{
    [Fact]
    public void NoiseScaleRecoversSigmaDespiteJumps()
    {
        // 2,000 rows, σ = 0.5 and 2, with 9 jumps of ≈ 20: the median of the differences ignores them (the plain
        // standard deviation of the differences / √2 would give ≈ 1.08 instead of 0.5).
        var truth = Enumerable.Range(1, 10).Select(i => i * 200).ToArray();
        var a = SyntheticSignals.PiecewiseConstant(truth, 1, jump: 20, sigma: 0.5, seed: 1);
        var b = SyntheticSignals.PiecewiseConstant(truth, 1, jump: 20, sigma: 2, seed: 2);
        Assert.InRange(NoiseScale.Estimate(a)[0], 0.45, 0.55);
        Assert.InRange(NoiseScale.Estimate(b)[0], 1.8, 2.2);
    }

    [Fact]
    public void PenaltiesFollowTheDocumentedFormulas()
    {
        var signal = SyntheticSignals.PiecewiseConstant([100, 200], 3, jump: 2, sigma: 1, seed: 3);
        var sigma = NoiseScale.Estimate(signal);
        double logT = Math.Log(200);
        Assert.Equal(logT * 4 * sigma.Average(s => s * s), DefaultPenalty.For(L2Cost.Fit(signal), signal), 12);
        Assert.Equal(logT * 4 * sigma.Average() * Math.Sqrt(2 * Math.PI) / 4, DefaultPenalty.For(L1Cost.Fit(signal), signal), 12);
        Assert.Equal(logT * (3 + 6 + 1), DefaultPenalty.For(NormalCost.Fit(signal), signal), 12);
        var rbf = RbfCost.Fit(signal);
        Assert.Equal(logT * 2 * rbf.MeanAdjacentDissimilarity, DefaultPenalty.For(rbf, signal), 12);
        // Scaling the signal by 10 scales the l2 penalty by 100 and the l1 penalty by 10; normal and rbf are unit-free.
        var scaled = (double[,])signal.Clone();
        for (int t = 0; t < 200; t++) for (int j = 0; j < 3; j++) scaled[t, j] *= 10;
        Assert.Equal(100 * DefaultPenalty.For(L2Cost.Fit(signal), signal), DefaultPenalty.For(L2Cost.Fit(scaled), scaled), 6);
        Assert.Equal(10 * DefaultPenalty.For(L1Cost.Fit(signal), signal), DefaultPenalty.For(L1Cost.Fit(scaled), scaled), 8);
        Assert.Equal(DefaultPenalty.For(rbf, signal), DefaultPenalty.For(RbfCost.Fit(scaled), scaled), 10);
    }

    [Fact]
    public void ACustomCostNeedsAnExplicitPenalty()
    {
        var signal = SyntheticSignals.Noise(30, 1, 1);
        var e = Assert.Throws<ArgumentException>(() => DefaultPenalty.For(new CountingCost(L2Cost.Fit(signal)), signal));
        Assert.Contains("pass a penalty explicitly", e.Message);
    }

    public static TheoryData<CostKind, int> CostsAndDimensions()
    {
        var data = new TheoryData<CostKind, int>();
        foreach (var kind in Enum.GetValues<CostKind>())
        {
            data.Add(kind, 1);
            data.Add(kind, 5);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CostsAndDimensions))]
    public void OnPureNoiseMostSeedsHaveNoChangePoint(CostKind kind, int dimension)
    {
        // Measured with PELT, T = 300, 40 seeds: l2 d=1 4/40 seeds with a spurious change (1/40 with a minimum
        // segment of 10), l1 d=1 1/40, every other case 0/40. Require at least 17 of 20 clean seeds.
        int clean = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var signal = SyntheticSignals.Noise(300, dimension, 500 + seed);
            var result = ChangePointDetector.Detect(signal, new ChangePointOptions(kind, SearchMethod.Pelt));
            if (result.Breakpoints.Count == 1) clean++;
        }
        Assert.True(clean >= 17, $"{kind} d={dimension}: only {clean}/20 noise-only signals without a change point");
    }

    [Theory]
    [MemberData(nameof(CostsAndDimensions))]
    public void AtSignalToNoiseThreeEveryChangeIsFound(CostKind kind, int dimension)
    {
        // Jumps of exactly 3σ in Euclidean norm, segments of 40 to 80 rows.
        int[] truth = [50, 130, 170, 240, 300];
        for (int seed = 0; seed < 5; seed++)
        {
            var rng = new Random(900 + seed);
            var signal = new double[300, dimension];
            var level = new double[dimension];
            int start = 0;
            foreach (int end in truth)
            {
                for (int t = start; t < end; t++)
                    for (int j = 0; j < dimension; j++) signal[t, j] = level[j] + SyntheticSignals.Gaussian(rng);
                var direction = Enumerable.Range(0, dimension).Select(_ => SyntheticSignals.Gaussian(rng)).ToArray();
                double norm = Math.Sqrt(direction.Sum(x => x * x));
                for (int j = 0; j < dimension; j++) level[j] += 3 * direction[j] / norm;
                start = end;
            }
            var result = ChangePointDetector.Detect(signal, new ChangePointOptions(kind, SearchMethod.Pelt, MinSegmentSize: 5));
            var score = DevInterp.Stages.Metrics.BreakpointMetrics.PrecisionRecall(truth, result.Breakpoints, margin: 10);
            Assert.True(score.Recall == 1 && score.Precision == 1,
                $"{kind} d={dimension} seed {seed}: found [{string.Join(", ", result.Breakpoints)}]");
        }
    }
}
