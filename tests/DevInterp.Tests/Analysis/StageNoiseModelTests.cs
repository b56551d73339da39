using DevInterp.Analysis;
using DevInterp.Stages.Metrics;
using Xunit.Abstractions;

namespace DevInterp.Tests.Analysis;

/// <summary>The stage table of whole runs under the noise model (docs/stages.md, "Noise model").</summary>
public class StageNoiseModelTests(ITestOutputHelper output)
{
    [Fact]
    public void GrokkingCurvesGiveOneBoundaryNearEachTransitionAndNoMore()
    {
        var store = SyntheticGrokking.Write(AnalysisFixtures.NewAnalysisFolder());

        var result = StageAnalysis.Compute(store, new StageSettings());

        foreach (var n in result.Notes) output.WriteLine("note: " + n);
        foreach (var s in result.Signals) output.WriteLine($"{s.Name}: {string.Join(", ", s.Boundaries.Steps)}");
        foreach (var r in result.Rows) output.WriteLine($"{r.Stage}: {r.StartStep}–{r.EndStep} {r.LlcTrend} {r.LlcChange:G3} [{string.Join(",", r.Signals)}] {r.Confidence:F2}");
        var score = StageScore.Of(SyntheticGrokking.Epochs, SyntheticGrokking.Transitions, result.Rows.Skip(1).Select(r => r.StartStep).ToList());
        output.WriteLine(score.ToString());
        Assert.True(score.EveryTransitionFound, score.ToString());
        Assert.InRange(score.Found, 1, SyntheticGrokking.Transitions.Length + 1);
    }
}
