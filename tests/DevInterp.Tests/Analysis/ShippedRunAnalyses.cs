using System.Collections.Concurrent;
using DevInterp.Analysis;
using DevInterp.Storage;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// One analysis per shipped demo run (checkpoints/NAME), made once per test run and shared by the tests that read it:
/// the checkpoints' metrics, similarity, essential dynamics and the stage table, as <c>devinterp analyze</c> makes them
/// but without the LLC (minutes per run here). Tests must not change them.
/// </summary>
internal static class ShippedRunAnalyses
{
    private static readonly ConcurrentDictionary<string, Lazy<(AnalysisConfig Config, AnalysisStore Store, StageAnalysisResult Stages)>> Analyses = new();

    /// <summary>The shipped runs, in name order.</summary>
    public static IReadOnlyList<string> Runs => Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "checkpoints"))
        .Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();

    /// <summary>The analysis of <paramref name="run"/>.</summary>
    public static (AnalysisConfig Config, AnalysisStore Store, StageAnalysisResult Stages) Get(string run) =>
        Analyses.GetOrAdd(run, r => new Lazy<(AnalysisConfig, AnalysisStore, StageAnalysisResult)>(() => Make(r))).Value;

    private static (AnalysisConfig, AnalysisStore, StageAnalysisResult) Make(string run)
    {
        var (config, opened, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(run), DemoRunCopy.Make(run));
        foreach (var c in opened.Checkpoints)
        {
            using var reader = c.Open();
            store.Write(PartKey.ForStep(c.Step), [CheckpointRowFactory.Ok(c, Path.GetFileName(c.Path), reader)]);
        }
        SimilarityRunAnalysis.Run(config, opened, store);
        DynamicsRunAnalysis.Run(config, opened, store);
        var stages = StageAnalysis.Run(store, config.Stages, config.Dynamics);
        store.Consolidate();
        return (config, store, stages);
    }
}
