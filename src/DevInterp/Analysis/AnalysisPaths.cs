using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>
/// Where an analysis folder keeps its files besides the store's tables: <c>analysis.json</c>, and under <c>cache/</c>
/// the probe batch (<c>probe.safetensors</c>) and one activation file per checkpoint
/// (<c>activations/step-NNNNNNNNNNNN.safetensors</c>, named by <see cref="PartKey.ForStep"/>). See docs/analysis-store.md.
/// </summary>
public static class AnalysisPaths
{
    /// <summary>analysis.json of the folder.</summary>
    public static string Config(string folder) => Path.Combine(folder, AnalysisConfig.FileName);

    /// <summary>The cache folder.</summary>
    public static string Cache(string folder) => Path.Combine(folder, "cache");

    /// <summary>The saved probe batch.</summary>
    public static string Probe(string folder) => Path.Combine(Cache(folder), "probe.safetensors");

    /// <summary>The folder of the per-checkpoint activation files.</summary>
    public static string ActivationFolder(string folder) => Path.Combine(Cache(folder), "activations");

    /// <summary>The activation file of one checkpoint.</summary>
    public static string Activations(string folder, long step) => Path.Combine(ActivationFolder(folder), PartKey.ForStep(step) + ".safetensors");
}
