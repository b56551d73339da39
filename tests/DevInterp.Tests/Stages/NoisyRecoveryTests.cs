using DevInterp.Stages;
using DevInterp.Stages.Costs;
using DevInterp.Stages.Metrics;
using DevInterp.Stages.Search;

namespace DevInterp.Tests.Stages;

/// <summary>
/// With Gaussian noise and jumps of about three noise standard deviations (per column in 1-D; in Euclidean norm in 5-D),
/// the default penalty finds every true change point within a few rows and nothing else.
/// </summary>
public class NoisyRecoveryTests
{
    private static readonly int[] Truth = [60, 130, 175, 260, 300];

    public static TheoryData<CostKind, SearchMethod, int> Cases()
    {
        var data = new TheoryData<CostKind, SearchMethod, int>();
        foreach (var kind in Enum.GetValues<CostKind>())
        foreach (var method in Enum.GetValues<SearchMethod>())
        {
            data.Add(kind, method, 1);
            data.Add(kind, method, 5);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FindsEveryChangeWithinTheMarginAcrossSeeds(CostKind kind, SearchMethod method, int dimension)
    {
        // Per-column jump so that the mean shift has norm ≈ 3σ·(0.8…1.2).
        double jump = 3.0 / Math.Sqrt(dimension);
        for (int seed = 0; seed < 5; seed++)
        {
            var signal = SyntheticSignals.PiecewiseConstant(Truth, dimension, jump, sigma: 1, seed: 100 + seed);
            var result = ChangePointDetector.Detect(signal, new ChangePointOptions(kind, method, MinSegmentSize: 10));
            var score = BreakpointMetrics.PrecisionRecall(Truth, result.Breakpoints, margin: 10);
            Assert.True(score.Precision == 1 && score.Recall == 1,
                $"{kind}/{method}/d={dimension}/seed {seed}: found [{string.Join(", ", result.Breakpoints)}], truth [{string.Join(", ", Truth)}]");
        }
    }
}
