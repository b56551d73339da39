using DevInterp.Llc;
using DevInterp.Reports;
using DevInterp.Reports.Sections;
using DevInterp.Storage;

namespace DevInterp.Tests.Reports;

/// <summary>The small pieces the report is drawn with: step axis, thinning of traces, numbers, the choice of traces.</summary>
public class ReportPartsTests
{
    [Fact]
    public void StepsArePlottedAtStepPlusOneAndLabelledWithRealSteps()
    {
        Assert.Equal(1.0, StepAxis.X(0));
        Assert.Equal(5001.0, StepAxis.X(5000));
        var (values, labels) = StepAxis.Ticks(0, 5000);
        // 0 to 5000 spans 3.7 decades: powers of ten only.
        Assert.Equal(["0", "1", "10", "100", "1k"], labels);
        Assert.Equal([1.0, 2, 11, 101, 1001], values);
        var (_, narrow) = StepAxis.Ticks(100, 5000);
        Assert.Equal(["100", "200", "500", "1k", "2k", "5k"], narrow);
        Assert.Equal("2.5k", StepAxis.Label(2500));
        Assert.Equal("1.2M", StepAxis.Label(1_200_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => StepAxis.Ticks(10, 5));
    }

    [Fact]
    public void ThinningKeepsEveryBucketsExtremesSoASpikeSurvives()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 10_000).Select(_ => random.NextDouble()).ToArray();
        values[6_123] = 50;      // a spike
        values[2_000] = -50;     // a dip
        values[10] = double.NaN; // never kept
        values[11] = double.PositiveInfinity;

        var keep = Downsample.MinMax(values, 400);

        Assert.True(keep.Length <= 400);
        Assert.Contains(6_123, keep);
        Assert.Contains(2_000, keep);
        Assert.DoesNotContain(10, keep);
        Assert.DoesNotContain(11, keep);
        Assert.Equal(keep.Order(), keep); // in draw order
        Assert.Equal(Enumerable.Range(0, 5).ToArray(), Downsample.MinMax([1.0, 2, 3, 4, 5], 400)); // short series: all points
        Assert.Throws<ArgumentOutOfRangeException>(() => Downsample.MinMax(values, 1));
    }

    [Fact]
    public void NumbersAreShortAndCultureIndependent()
    {
        Assert.Equal("3e-5", Html.Number(3e-5, "G3"));
        Assert.Equal("1.5e12", Html.Number(1.5e12, "G3"));
        Assert.Equal("147.7", Html.Number(147.7));
        Assert.Equal("NaN", Html.Number(double.NaN));
        Assert.Equal("∞", Html.Number(double.PositiveInfinity));
        Assert.Equal("—", Html.Number(null));
        Assert.Equal("&lt;b&gt; &amp; &quot;", Html.Escape("<b> & \""));
    }

    [Fact]
    public void TracesOfFlaggedEstimatesAreSpreadOverTheRunAndBothVerdicts()
    {
        var untrusted = Enumerable.Range(0, 35).Select(i => Row(i, LlcVerdict.Untrusted)).ToList();
        var doubtful = Enumerable.Range(100, 5).Select(i => Row(i, LlcVerdict.Doubtful)).ToList();

        var chosen = LlcDiagnosticsSection.Spread([.. untrusted, .. doubtful], 12);

        // A third of the places go to doubtful estimates, the rest to untrusted ones, evenly over their steps.
        Assert.Equal(12, chosen.Count);
        Assert.Equal(chosen.OrderBy(r => r.Step).Select(r => r.Step), chosen.Select(r => r.Step));
        var u = chosen.Where(r => r.Verdict == LlcVerdict.Untrusted).Select(r => r.Step).ToList();
        Assert.Equal(8, u.Count);
        Assert.Equal(0, u[0]);
        Assert.Equal(34, u[^1]);
        Assert.Equal([100L, 101, 103, 104], chosen.Where(r => r.Verdict == LlcVerdict.Doubtful).Select(r => r.Step)); // 0, 4/3, 8/3, 4 rounded
        // Places one verdict cannot fill go to the other; one place goes to the first untrusted estimate.
        Assert.Equal(5 + 7, LlcDiagnosticsSection.Spread([.. untrusted.Take(7), .. doubtful], 12).Count);
        Assert.Equal([0L], LlcDiagnosticsSection.Spread([.. untrusted, .. doubtful], 1).Select(r => r.Step));
        Assert.Empty(LlcDiagnosticsSection.Spread([.. untrusted, .. doubtful], 0));
        Assert.Equal([100L, 102, 104], LlcDiagnosticsSection.Spread(doubtful, 3).Select(r => r.Step));
    }

    private static LlcRow Row(long step, LlcVerdict verdict) =>
        new(step, 1, 0.1, [1, 1], 0.1, 100, 1e-4, "given", 0.1, 64, 64, 64, 100, 2, 1.0, 100, 100, 0, 0, 0, 0, verdict, "", SamplerKind.Sgld, 0, 1);
}
