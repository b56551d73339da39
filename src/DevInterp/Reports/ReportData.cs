using DevInterp.Analysis;
using DevInterp.Storage;

namespace DevInterp.Reports;

/// <summary>
/// Everything a report shows, read from an analysis folder: <c>analysis.json</c> (when present) and the store's
/// tables (an absent table reads as no rows). Nothing is recomputed.
/// </summary>
/// <param name="Folder">The analysis folder (full path).</param>
/// <param name="Config">analysis.json, or null when the folder has none.</param>
/// <param name="Checkpoints">The <c>checkpoints</c> table.</param>
/// <param name="Llc">The <c>llc</c> table.</param>
/// <param name="Traces">The <c>llc_traces</c> rows of the flagged (doubtful or untrusted) checkpoints only.</param>
/// <param name="TraceRowCount">Rows of <c>llc_traces</c> in all (every checkpoint).</param>
/// <param name="Calibration">The <c>calibration</c> table.</param>
/// <param name="Similarity">The <c>similarity</c> table.</param>
/// <param name="Coordinates">The <c>essential_dynamics</c> table.</param>
/// <param name="Variance">The <c>essential_dynamics_variance</c> table.</param>
/// <param name="Curvature">The <c>essential_dynamics_curvature</c> table.</param>
/// <param name="Stages">The <c>stages</c> table.</param>
public sealed record ReportData(
    string Folder,
    AnalysisConfig? Config,
    IReadOnlyList<CheckpointRow> Checkpoints,
    IReadOnlyList<LlcRow> Llc,
    IReadOnlyList<LlcTraceRow> Traces,
    long TraceRowCount,
    IReadOnlyList<CalibrationRow> Calibration,
    IReadOnlyList<SimilarityRow> Similarity,
    IReadOnlyList<DynamicsCoordinateRow> Coordinates,
    IReadOnlyList<DynamicsVarianceRow> Variance,
    IReadOnlyList<DynamicsCurvatureRow> Curvature,
    IReadOnlyList<StageSummaryRow> Stages)
{
    /// <summary>The LLC setting the analysis used and why (the <c>llc_setting</c> table; empty for older folders).</summary>
    public IReadOnlyList<LlcSettingRow> LlcSetting { get; init; } = [];

    /// <summary>The analysis name: analysis.json's, or the folder's.</summary>
    public string Name => Config?.Name ?? Path.GetFileName(Folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));

    /// <summary>
    /// What the run's checkpoint positions count, <c>step</c> or <c>epoch</c>: analysis.json's <c>run.unit</c>, else what
    /// the checkpoint file names say (<c>epoch_12.pt</c>), else <c>step</c>.
    /// </summary>
    public string Unit
    {
        get
        {
            if (Config?.Run.Unit is { Length: > 0 } unit) return unit;
            var files = (Config?.Run.Checkpoints.Select(c => c.File) ?? []).Concat(Checkpoints.Select(c => c.File));
            foreach (string file in files)
                if (Runs.CheckpointName.Parse(Path.GetFileName(file.TrimEnd('/', '\\'))) is { } parsed)
                    return parsed.Unit == Runs.StepUnit.Epoch ? "epoch" : "step";
            return "step";
        }
    }

    /// <summary>Every step any table mentions, ascending.</summary>
    public IReadOnlyList<long> AllSteps =>
        Checkpoints.Select(c => c.Step).Concat(Llc.Select(l => l.Step)).Concat(Coordinates.Select(c => c.Step))
            .Concat(Similarity.SelectMany(s => new[] { s.StepA, s.StepB })).Distinct().Order().ToList();

    /// <summary>Reads an analysis folder.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder has neither analysis.json nor any table.</exception>
    /// <exception cref="Runs.RunFormatException">analysis.json is not a valid analysis config.</exception>
    /// <exception cref="AnalysisStoreException">A table is unreadable or its parts disagree.</exception>
    public static ReportData Load(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"{folder}: no such analysis folder (expected analyses/NAME with analysis.json and tables)");
        string configPath = Path.Combine(full, AnalysisConfig.FileName);
        var config = File.Exists(configPath) ? AnalysisConfig.Load(configPath) : null;
        var store = AnalysisStore.Open(full);
        if (config is null && store.Tables().Count == 0)
            throw new InvalidDataException($"{folder}: not an analysis folder: no {AnalysisConfig.FileName} and no tables (*.arrow or parts/)");

        var llc = store.Read<LlcRow>();
        var flagged = llc.Where(l => l.Verdict != DevInterp.Llc.LlcVerdict.Trusted).Select(l => l.Step).ToHashSet();
        var traces = store.Read<LlcTraceRow>();
        return new ReportData(
            full, config, store.Read<CheckpointRow>(), llc,
            traces.Where(t => flagged.Contains(t.Step)).ToList(), traces.Count,
            store.Read<CalibrationRow>(), store.Read<SimilarityRow>(), store.Read<DynamicsCoordinateRow>(),
            store.Read<DynamicsVarianceRow>(), store.Read<DynamicsCurvatureRow>(), store.Read<StageSummaryRow>())
        {
            LlcSetting = store.Read<LlcSettingRow>(),
        };
    }
}
