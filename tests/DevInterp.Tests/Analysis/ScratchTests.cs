using DevInterp.Analysis;
using DevInterp.Storage;
using Xunit.Abstractions;

namespace DevInterp.Tests.Analysis;

public class ScratchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("dln")]
    [InlineData("tms")]
    public void Explore(string name)
    {
        string run = Path.Combine(TestPaths.RepoRoot, "checkpoints", name);
        string folder = TestPaths.NewTempDir();
        var config = AnalysisSetup.Prepare(folder, new AnalysisRequest(run), c => c, ["similarity"]);
        var inputs = RunAnalysisInputs.Resolve(config);
        SimilarityRunAnalysis.Run(folder, inputs);
        Print(StageAnalysis.Run(folder));
        var dyn = DynamicsRunAnalysis.Run(folder, inputs);
        output.WriteLine("dyn flagged: " + string.Join(",", dyn.Result.Transitions.Select(t => $"{t.Step}:{t.Kind}")));
        Print(StageAnalysis.Run(folder));
    }

    private void Print(StageAnalysisResult stages)
    {
        foreach (var s in stages.Signals) output.WriteLine($"signal {s.Name}: {string.Join(",", s.Boundaries.Steps)}");
        foreach (var n in stages.Notes) output.WriteLine("note " + n);
        foreach (var r in stages.Rows) output.WriteLine($"stage {r.Stage}: {r.StartStep}-{r.EndStep} loss {r.LossChange:G3} signals {string.Join(",", r.Signals)} conf {r.Confidence:G3}");
    }
}
