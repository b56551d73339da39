using DevInterp.Stages;

namespace DevInterp.Tests.Stages;

public class ProminentPeaksTests
{
    // Peaks at 1 (height 3), 3 (4) and 5 (2). Prominences (scipy's definition, worked by hand): index 1: the higher
    // point to its right is index 3, the lowest point before it 1, to its left 0: 3 − max(0, 1) = 2. Index 3: no higher
    // point on either side, lowest points 0 and 0: 4. Index 5: higher point to the left at 3 (lowest between: 1), right
    // end 0: 2 − max(1, 0) = 1.
    private static readonly double[] Curve = [0, 3, 1, 4, 1, 2, 0];

    [Fact]
    public void ProminenceIsTheHeightAboveTheHigherOfTheTwoBases()
    {
        Assert.Equal(2, ProminentPeaks.Prominence(Curve, 1));
        Assert.Equal(4, ProminentPeaks.Prominence(Curve, 3));
        Assert.Equal(1, ProminentPeaks.Prominence(Curve, 5));
    }

    [Theory]
    [InlineData(0.0, 1, new[] { 1, 3, 5 })]
    [InlineData(1.0, 1, new[] { 1, 3, 5 })]
    [InlineData(1.5, 1, new[] { 1, 3 })]
    [InlineData(2.5, 1, new[] { 3 })]
    [InlineData(0.0, 3, new[] { 3 })] // 1 and 5 are within 2 of the higher peak at 3
    [InlineData(0.0, 2, new[] { 1, 3, 5 })]
    public void KeepsPeaksAboveTheProminenceAndApart(double minProminence, int minDistance, int[] expected) =>
        Assert.Equal(expected, ProminentPeaks.Find(Curve, minProminence, minDistance));

    [Fact]
    public void EndsAreNotPeaksAndAFlatTopCountsOnce()
    {
        Assert.Empty(ProminentPeaks.Find([5.0, 1, 0], 0));
        Assert.Empty(ProminentPeaks.Find([0.0, 1, 5], 0));
        Assert.Equal([1], ProminentPeaks.Find([0.0, 2, 2, 0], 0));
        Assert.Empty(ProminentPeaks.Find([1.0, 1, 1, 1], 0));
    }

    [Fact]
    public void NonFiniteValuesAreNeverPeaksAndBoundTheBase()
    {
        // The NaN stops the walk to the left, so index 3's left base is 2 (not 0): prominence 5 − 2 = 3.
        double[] curve = [0, double.NaN, 2, 5, 0];
        Assert.Equal(3, ProminentPeaks.Prominence(curve, 3));
        Assert.Equal([3], ProminentPeaks.Find(curve, 0));
    }

    [Fact]
    public void BadArgumentsSayWhatWasExpected()
    {
        Assert.Contains("minProminence", Assert.Throws<ArgumentException>(() => ProminentPeaks.Find(Curve, -1)).Message);
        Assert.Contains("minDistance", Assert.Throws<ArgumentException>(() => ProminentPeaks.Find(Curve, 0, 0)).Message);
    }
}
