using DevInterp.Analysis;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Tests.Analysis;

/// <summary>Shared set-up of the run-analysis tests: an analysis folder opened on a run the way the commands open it.</summary>
internal static class AnalysisFixtures
{
    /// <summary>A new analysis folder (not yet created) inside a fresh temporary folder.</summary>
    public static string NewAnalysisFolder(string name = "analysis") => Path.Combine(TestPaths.NewTempDir(), name);

    /// <summary>
    /// Opens (creating or reconciling) <paramref name="folder"/> for similarity and dynamics on <paramref name="runDir"/>,
    /// with the default settings changed by <paramref name="configure"/>.
    /// </summary>
    public static (AnalysisConfig Config, Run Run, AnalysisStore Store) Open(string folder, string runDir,
        Func<AnalysisConfig, AnalysisConfig>? configure = null)
    {
        var run = Run.Open(runDir);
        var config = AnalysisConfigBuilder.Create("test", runDir, run);
        if (configure is not null) config = configure(config);
        var (cfg, store) = AnalysisFolder.Open(folder, config, [AnalysisSection.Similarity, AnalysisSection.Dynamics]);
        return (cfg, run, store);
    }
}
