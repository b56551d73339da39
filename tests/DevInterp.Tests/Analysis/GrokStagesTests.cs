using DevInterp.Analysis;
using DevInterp.Runs;
using DevInterp.Storage;
using Xunit.Abstractions;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// The grokking demo run (checkpoints/grok: modular addition, memorisation → circuit formation → clean-up → settled),
/// once it is shipped. Its transitions are read from its own metrics, the way docs/demo-runs.md defines them: the end of
/// memorisation (the first checkpoint with train accuracy ≥ 0.99), generalisation (the first with test accuracy ≥ 0.9),
/// and settled (the first from which test accuracy stays ≥ 0.99). The stage table from the loss, accuracy, similarity
/// and essential dynamics must put a boundary within one checkpoint interval of each, and no more than one extra.
/// </summary>
public class GrokStagesTests(ITestOutputHelper output)
{
    private static string Folder => Path.Combine(TestPaths.RepoRoot, "checkpoints", "grok");

    [Fact]
    public void TheGrokkingRunsStagesAreItsTransitions()
    {
        if (!File.Exists(Path.Combine(Folder, RunManifest.FileName)))
        {
            output.WriteLine("checkpoints/grok is not shipped yet: nothing to check");
            return;
        }
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("grok"));
        foreach (var c in run.Checkpoints)
        {
            using var reader = c.Open();
            store.Write(PartKey.ForStep(c.Step), [CheckpointRowFactory.Ok(c, Path.GetFileName(c.Path), reader)]);
        }
        SimilarityRunAnalysis.Run(config, run, store);
        DynamicsRunAnalysis.Run(config, run, store);

        var result = StageAnalysis.Compute(store, config.Stages, config.Dynamics);

        var checkpoints = store.Read<CheckpointRow>().OrderBy(c => c.Step).ToList();
        var transitions = Transitions(checkpoints);
        foreach (var r in result.Rows) output.WriteLine($"{r.Stage}: {r.StartStep}–{r.EndStep} {string.Join(",", r.Signals)} {r.Confidence:F2}");
        var score = StageScore.Of(checkpoints.Select(c => c.Step).ToList(), transitions, result.Rows.Skip(1).Select(r => r.StartStep).ToList());
        output.WriteLine($"transitions {string.Join(", ", transitions)}; {score}");
        Assert.True(score.EveryTransitionFound, score.ToString());
        Assert.InRange(score.Found, 1, transitions.Length + 1);
    }

    private static long[] Transitions(List<CheckpointRow> checkpoints)
    {
        string Find(string split) => checkpoints.SelectMany(c => c.Metrics.Keys).Distinct()
            .FirstOrDefault(k => k.Contains(split, StringComparison.Ordinal) && k.Contains("acc", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"checkpoints/grok: no {split} accuracy metric among {string.Join(", ", checkpoints.SelectMany(c => c.Metrics.Keys).Distinct())}");
        string train = Find("train"), test = checkpoints.SelectMany(c => c.Metrics.Keys).Any(k => k.Contains("test", StringComparison.Ordinal) && k.Contains("acc", StringComparison.Ordinal)) ? Find("test") : Find("val");
        double Value(CheckpointRow c, string m) => c.Metrics.TryGetValue(m, out double v) ? v : double.NaN;
        long memorised = checkpoints.First(c => Value(c, train) >= 0.99).Step;
        long generalised = checkpoints.First(c => Value(c, test) >= 0.9).Step;
        int lastBelow = checkpoints.FindLastIndex(c => !(Value(c, test) >= 0.99));
        long settled = checkpoints[Math.Min(lastBelow + 1, checkpoints.Count - 1)].Step;
        return new[] { memorised, generalised, settled }.Distinct().Order().ToArray();
    }
}
