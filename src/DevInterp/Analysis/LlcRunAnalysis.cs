using System.Diagnostics;
using DevInterp.Checkpoints;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tasks;

namespace DevInterp.Analysis;

/// <summary>What an LLC pass over a run did.</summary>
/// <param name="Estimated">Steps estimated in this pass.</param>
/// <param name="AlreadyDone">Steps skipped because their results were already stored (a resumed run).</param>
/// <param name="Failed">Steps that failed, with the error.</param>
/// <param name="StepSize">The step size used.</param>
/// <param name="StepSizeSource"><c>given</c>, <c>calibrated</c> (this pass) or <c>stored</c> (an earlier pass's calibration).</param>
public sealed record LlcRunResult(IReadOnlyList<long> Estimated, IReadOnlyList<long> AlreadyDone,
    IReadOnlyList<(long Step, string Error)> Failed, double StepSize, string StepSizeSource);

/// <summary>
/// The LLC of every checkpoint of a run (of this shard's checkpoints), written to the analysis store as each finishes:
/// traces first, then the checkpoint row, then the llc row, whose presence marks the unit done, so a killed process
/// loses at most the checkpoint in flight and a rerun continues. Without a step size in the settings, the step size
/// is calibrated once, on the last checkpoint (or <see cref="LlcSettings.CalibrateAt"/>), and used for every checkpoint:
/// one ε for the whole run keeps the estimates comparable. A checkpoint that cannot be read is recorded in
/// <c>checkpoints</c> with its error; one whose estimation throws gets an untrusted llc row saying why; the rest go on.
/// </summary>
public static class LlcRunAnalysis
{
    /// <summary>Runs the pass.</summary>
    public static LlcRunResult Run(AnalysisConfig config, Run run, AnalysisStore store, Shard? shard = null,
        IProgress<AnalysisProgress>? progress = null, CancellationToken cancel = default)
    {
        shard ??= Shard.All;
        var settings = config.Llc;
        var spec = ModelSpec.Parse(config.Model);
        var load = new StateDictLoadOptions(Map: config.NameMap is null ? null : NameMap.Parse(config.NameMap));
        var task = config.TaskSpec(run.Directory);
        using var training = task.LoadTraining(config.ScalarType);
        TaskModelFit.Check(training, spec);
        var (data, loss) = training;
        var potentialOptions = new CheckpointPotentialOptions(config.ScalarType, settings.ParameterPattern, load);

        var mine = run.Checkpoints.Where((_, i) => shard.Includes(i)).ToList();
        double total = mine.Count + (settings.StepSize is null ? 1 : 0);
        var (stepSize, source) = ResolveStepSize(config, run, store, spec, data, loss, potentialOptions, progress, cancel);

        var estimated = new List<long>();
        var already = new List<long>();
        var failed = new List<(long, string)>();
        int index = 0;
        foreach (var checkpoint in mine)
        {
            cancel.ThrowIfCancellationRequested();
            double done = index++ + (settings.StepSize is null ? 1 : 0);
            string key = PartKey.ForStep(checkpoint.Step);
            if (store.HasPart<LlcRow>(key))
            {
                already.Add(checkpoint.Step);
                continue;
            }
            progress?.Report(new AnalysisProgress(done, total, checkpoint.Step, "llc: loading"));
            string file = Path.GetRelativePath(run.Directory, checkpoint.Path);
            ICheckpointReader reader;
            try
            {
                reader = checkpoint.Open();
            }
            catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException)
            {
                store.Write(key, [CheckpointRowFactory.Failed(checkpoint, file, e.Message)]);
                failed.Add((checkpoint.Step, CheckpointRowFactory.OneLine(e.Message)));
                continue;
            }
            using (reader)
            {
                var clock = Stopwatch.StartNew();
                LlcResult? result = null;
                string? error = null;
                try
                {
                    using var potential = CheckpointPotentials.Create(spec, reader, data, loss, potentialOptions);
                    var inner = progress is null ? null : new InlineProgress<LlcProgress>(p =>
                        progress.Report(new AnalysisProgress(done + (double)p.Step / p.TotalSteps, total, checkpoint.Step, "llc: " + p.Phase)));
                    result = LlcEstimator.Run(potential, settings.ToOptions(stepSize), source, inner, cancel);
                }
                catch (Exception e) when (e is CheckpointFormatException or ArgumentException or InvalidOperationException or System.Runtime.InteropServices.ExternalException)
                {
                    error = CheckpointRowFactory.OneLine(e.Message);
                }
                store.Write(key, [CheckpointRowFactory.Ok(checkpoint, file, reader)]);
                if (result is not null)
                {
                    if (settings.Traces) store.Write(key, LlcTraceRow.From(checkpoint.Step, result));
                    store.Write(key, [LlcRow.From(checkpoint.Step, result, clock.Elapsed.TotalSeconds)]);
                    estimated.Add(checkpoint.Step);
                }
                else
                {
                    store.Write(key, [LlcRows.Failed(checkpoint.Step, settings, stepSize, source, error!, clock.Elapsed.TotalSeconds)]);
                    failed.Add((checkpoint.Step, error!));
                }
            }
        }
        progress?.Report(new AnalysisProgress(total, total, null, "llc: done"));
        return new LlcRunResult(estimated, already, failed, stepSize, source);
    }

    private static (double StepSize, string Source) ResolveStepSize(AnalysisConfig config, Run run, AnalysisStore store,
        ModelSpec spec, SupervisedData data, IChainLoss loss, CheckpointPotentialOptions potentialOptions,
        IProgress<AnalysisProgress>? progress, CancellationToken cancel)
    {
        var settings = config.Llc;
        if (settings.StepSize is { } given) return (given, "given");
        var target = settings.CalibrateAt is { } at
            ? run.Checkpoints.FirstOrDefault(c => c.Step == at) ?? throw new ArgumentException($"llc.calibrate_at: the run has no checkpoint at step {at}")
            : run.Checkpoints[^1];
        string key = PartKey.ForStep(target.Step);
        if (store.HasPart<CalibrationRow>(key))
        {
            var chosen = store.ReadPart<CalibrationRow>(key).Where(r => r.Chosen).ToList();
            if (chosen.Count == 1) return (chosen[0].StepSize, "calibrated");
        }
        progress?.Report(new AnalysisProgress(0, 1, target.Step, "llc: calibrating"));
        using var reader = target.Open();
        using var potential = CheckpointPotentials.Create(spec, reader, data, loss, potentialOptions);
        var options = settings.ToOptions();
        var inner = progress is null ? null : new InlineProgress<LlcProgress>(p =>
            progress.Report(new AnalysisProgress(0, 1, target.Step, "llc: calibrating")));
        var calibration = new LlcCalibrator(CalibrationOptions.For(options)).Calibrate(potential, inner, cancel);
        double nBeta = options.ResolveNBeta(potential.SampleCount, potential.Dimension);
        store.Write(key, CalibrationRow.From(target.Step, calibration, nBeta, options.Localization));
        return (calibration.Chosen, "calibrated");
    }
}
