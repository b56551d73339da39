using DevInterp.Stages;
using DevInterp.Stages.Costs;
using DevInterp.Stages.Search;

namespace DevInterp.Tests.Stages;

/// <summary>Without noise, every cost with every search recovers the true breakpoints exactly.</summary>
public class ExactRecoveryTests
{
    private static readonly int[] Truth = [60, 130, 175, 260, 300];

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
    public void PeltWithTheDefaultPenaltyFindsTheTruth(CostKind kind, int dimension)
    {
        var signal = SyntheticSignals.PiecewiseConstant(Truth, dimension, jump: 2, sigma: 0, seed: 7);
        var result = ChangePointDetector.Detect(signal, new ChangePointOptions(kind, SearchMethod.Pelt));
        Assert.Equal(Truth, result.Breakpoints);
    }

    [Theory]
    [MemberData(nameof(CostsAndDimensions))]
    public void DynamicProgrammingWithTheTrueCountFindsTheTruth(CostKind kind, int dimension)
    {
        var signal = SyntheticSignals.PiecewiseConstant(Truth, dimension, jump: 2, sigma: 0, seed: 8);
        var result = ChangePointDetector.Detect(signal,
            new ChangePointOptions(kind, SearchMethod.DynamicProgramming, BreakpointCount: Truth.Length - 1));
        Assert.Equal(Truth, result.Breakpoints);
    }

    [Theory]
    [MemberData(nameof(CostsAndDimensions))]
    public void DynamicProgrammingWithTheDefaultPenaltyFindsTheTruth(CostKind kind, int dimension)
    {
        var signal = SyntheticSignals.PiecewiseConstant(Truth, dimension, jump: 2, sigma: 0, seed: 9);
        var result = ChangePointDetector.Detect(signal, new ChangePointOptions(kind, SearchMethod.DynamicProgramming));
        Assert.Equal(Truth, result.Breakpoints);
    }

    [Theory]
    [MemberData(nameof(CostsAndDimensions))]
    public void BinarySegmentationWithTheTrueCountFindsTheTruth(CostKind kind, int dimension)
    {
        var signal = SyntheticSignals.PiecewiseConstant(Truth, dimension, jump: 2, sigma: 0, seed: 10);
        var result = ChangePointDetector.Detect(signal,
            new ChangePointOptions(kind, SearchMethod.BinarySegmentation, BreakpointCount: Truth.Length - 1));
        Assert.Equal(Truth, result.Breakpoints);
    }

    [Theory]
    [MemberData(nameof(CostsAndDimensions))]
    public void BinarySegmentationWithTheDefaultPenaltyFindsTheTruth(CostKind kind, int dimension)
    {
        var signal = SyntheticSignals.PiecewiseConstant(Truth, dimension, jump: 2, sigma: 0, seed: 11);
        var result = ChangePointDetector.Detect(signal, new ChangePointOptions(kind, SearchMethod.BinarySegmentation));
        Assert.Equal(Truth, result.Breakpoints);
    }

    [Fact]
    public void AConstantSignalHasNoChangePoint()
    {
        var signal = Signals.FromSeries(Enumerable.Repeat(3.5, 50).ToArray());
        foreach (var kind in Enum.GetValues<CostKind>())
        foreach (var method in Enum.GetValues<SearchMethod>())
            Assert.Equal([50], ChangePointDetector.Detect(signal, new ChangePointOptions(kind, method)).Breakpoints);
    }
}
