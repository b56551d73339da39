using DevInterp.Reports;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>How <see cref="AnalysisPipeline.Run"/> runs.</summary>
/// <param name="Shard">Which checkpoints this process estimates the LLC of (<see cref="Analysis.Shard.All"/> for all).</param>
/// <param name="Report">Write <c>report.html</c> when the analysis is complete.</param>
/// <param name="Merge">
/// A shard that finds every checkpoint estimated completes the analysis (similarity, dynamics, stages, report); false
/// leaves that to <c>devinterp merge</c>, as jobs that may finish at the same moment must (<c>devinterp slurm</c>).
/// </param>
public sealed record AnalyzeOptions(Shard? Shard = null, bool Report = true, bool Merge = true);

/// <summary>What <see cref="AnalysisPipeline.Run"/> did.</summary>
/// <param name="Llc">The LLC pass (this shard's checkpoints), or null when the LLC is switched off.</param>
/// <param name="Similarity">The similarity pass, or null when it did not run (disabled, or waiting for other shards).</param>
/// <param name="Dynamics">The essential-dynamics pass, or null when it did not run.</param>
/// <param name="Stages">The stage table, or null when it did not run.</param>
/// <param name="ReportPath">The report written, or null.</param>
/// <param name="MissingLlcSteps">Checkpoints still without an LLC estimate (other shards' work, or failures).</param>
/// <param name="Failed">Every checkpoint that failed in any pass, with the error (exit code 3).</param>
public sealed record AnalyzeResult(
    LlcRunResult? Llc,
    SimilarityRunResult? Similarity,
    DynamicsRunResult? Dynamics,
    StageAnalysisResult? Stages,
    string? ReportPath,
    IReadOnlyList<long> MissingLlcSteps,
    IReadOnlyList<(long Step, string Error)> Failed)
{
    /// <summary>True when every pass ran over the whole run (every shard's LLC estimates present).</summary>
    public bool Complete => MissingLlcSteps.Count == 0;
}

/// <summary>
/// The whole analysis of a run, as <c>devinterp analyze</c> runs it: LLC per checkpoint, similarity across steps,
/// essential dynamics, stages, then the report. Every pass writes per checkpoint (or per layer) into the analysis
/// store as it finishes, so an interrupted run resumes where it stopped; passes that need the whole run (similarity
/// matrices, dynamics, stages, report) run once every shard's LLC estimates are present.
/// </summary>
public static class AnalysisPipeline
{
    // Share of the overall progress bar per pass (the LLC dominates the time).
    private const double LlcShare = 0.8, SimilarityShare = 0.12, DynamicsShare = 0.05, StagesShare = 0.03;

    /// <summary>Runs (or resumes) the analysis described by <paramref name="config"/> into <paramref name="folder"/>.</summary>
    public static AnalyzeResult Run(AnalysisConfig config, Run run, string folder, AnalyzeOptions? options = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancel = default)
    {
        options ??= new AnalyzeOptions();
        var shard = options.Shard ?? Shard.All;
        // Everything that would stop the run for all checkpoints is found before any checkpoint is read: the settings
        // (with the memory they need), the folder's place, and another writer in it.
        config.Validate();
        AnalysisFolder.RefuseInsideRun(folder, config.Run.Path);
        using var writer = AnalysisLock.Acquire(folder, shared: shard.Count > 1);
        var sections = new[] { AnalysisSection.Llc, AnalysisSection.Similarity, AnalysisSection.Dynamics, AnalysisSection.Stages };
        var (cfg, store) = AnalysisFolder.Open(folder, config, sections, shard.Count > 1 ? $"shard{shard.Index}of{shard.Count}" : null);
        var failed = new List<(long Step, string Error)>();
        double offset = 0;
        IProgress<AnalysisProgress>? Phase(string name, double share)
        {
            double start = offset;
            offset += share;
            return progress is null ? null : new InlineProgress<AnalysisProgress>(p => progress.Report(new AnalysisProgress(
                1000 * (start + share * (p.Total > 0 ? Math.Clamp(p.Done / p.Total, 0, 1) : 0)), 1000, p.Step,
                // Some passes already name themselves in their activity ("llc: sampling"); the others get their name added.
                p.Activity.StartsWith(name + ":", StringComparison.Ordinal) ? p.Activity : $"{name}: {p.Activity}")));
        }

        LlcRunResult? llc = null;
        if (cfg.Llc.Enabled)
        {
            llc = LlcRunAnalysis.Run(cfg, run, store, shard, Phase("llc", LlcShare), cancel);
            failed.AddRange(llc.Failed);
        }
        else offset += LlcShare;
        var missing = cfg.Llc.Enabled ? MissingLlc(store, run) : [];
        // A shard that does not complete the analysis writes its own part files only: the consolidated tables and
        // everything after the LLC are written by the one process that completes it, so two shards never write one file.
        if (shard.Count > 1 && (missing.Count > 0 || !options.Merge))
            return new AnalyzeResult(llc, null, null, null, null, missing, failed);
        if (cfg.Llc.Enabled)
        {
            progress?.Report(new AnalysisProgress(1000 * offset, 1000, null, "llc: consolidating tables"));
            store.ConsolidateChanged(CheckpointRow.Schema.Name, LlcRow.Schema.Name, LlcTraceRow.Schema.Name, CalibrationRow.Schema.Name, LlcSettingRow.Schema.Name);
        }

        SimilarityRunResult? similarity = null;
        DynamicsRunResult? dynamics = null;
        if (cfg.Similarity.Enabled)
        {
            similarity = SimilarityRunAnalysis.Run(cfg, run, store, Phase("similarity", SimilarityShare), cancel);
            progress?.Report(new AnalysisProgress(1000 * offset, 1000, null, "similarity: consolidating tables"));
            store.ConsolidateChanged(CheckpointRow.Schema.Name, SimilarityRow.Schema.Name);
        }
        else offset += SimilarityShare;
        if (cfg.Dynamics.Enabled)
        {
            dynamics = DynamicsRunAnalysis.Run(cfg, run, store, Phase("dynamics", DynamicsShare), cancel);
            progress?.Report(new AnalysisProgress(1000 * offset, 1000, null, "dynamics: consolidating tables"));
            store.ConsolidateChanged(CheckpointRow.Schema.Name, DynamicsCoordinateRow.Schema.Name,
                DynamicsVarianceRow.Schema.Name, DynamicsCurvatureRow.Schema.Name);
        }
        else offset += DynamicsShare;
        foreach (var f in (similarity?.Failed ?? []).Concat(dynamics?.Failed ?? []))
            if (!failed.Any(x => x.Step == f.Step)) failed.Add(f);

        StageAnalysisResult? stages = null;
        var stagesProgress = Phase("stages", StagesShare);
        if (cfg.Stages.Enabled)
        {
            stagesProgress?.Report(new AnalysisProgress(0, 1, null, "stage table"));
            stages = StageAnalysis.Run(store, cfg.Stages, cfg.Dynamics);
            // Every table ends as one top-level Arrow file (what pandas.read_feather and polars open).
            store.ConsolidateChanged(StageSummaryRow.Schema.Name);
            stagesProgress?.Report(new AnalysisProgress(1, 1, null, "stage table"));
        }

        string? report = null;
        if (options.Report)
        {
            progress?.Report(new AnalysisProgress(1000, 1000, null, "report: writing"));
            report = AnalysisReport.Write(folder).Path;
        }
        return new AnalyzeResult(llc, similarity, dynamics, stages, report, missing, failed.OrderBy(f => f.Step).ToList());
    }

    // Steps no shard has finished: neither an llc row nor a recorded failure.
    private static List<long> MissingLlc(AnalysisStore store, Run run)
    {
        var done = LlcCompletion.Steps(store).Finished;
        return run.Checkpoints.Select(c => c.Step).Where(s => !done.Contains(s)).ToList();
    }
}
