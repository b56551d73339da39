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
        settings.Validate(config.DType); // settings errors are the run's, found before any checkpoint is read
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
            catch (Exception e) when (CheckpointRowFactory.IsCheckpointFailure(e))
            {
                store.Write(key, [CheckpointRowFactory.Failed(checkpoint, file, e.Message)]);
                failed.Add((checkpoint.Step, CheckpointRowFactory.OneLine(e.Message)));
                continue;
            }
            using (reader)
            {
                var clock = Stopwatch.StartNew();
                // What belongs to the checkpoint (its bytes cannot be read, it does not fit the model, its weights are
                // NaN) goes into the checkpoints table as a failed row; what belongs to the estimate, into its llc row.
                CheckpointRow row;
                IChainPotential potential;
                try
                {
                    row = CheckpointRowFactory.Ok(checkpoint, file, reader); // hashes the file: an I/O error fails this checkpoint only
                    potential = CheckpointPotentials.Create(spec, reader, data, loss, potentialOptions);
                }
                catch (Exception e) when (CheckpointRowFactory.IsCheckpointFailure(e))
                {
                    store.Write(key, [CheckpointRowFactory.Failed(checkpoint, file, e.Message)]);
                    failed.Add((checkpoint.Step, CheckpointRowFactory.OneLine(e.Message)));
                    continue;
                }
                using (potential)
                {
                    if (NonFinite(potential) is { } why)
                    {
                        string message = $"{file}: {why}";
                        store.Write(key, [CheckpointRowFactory.Failed(checkpoint, file, message)]);
                        failed.Add((checkpoint.Step, message));
                        continue;
                    }
                    LlcResult? result = null;
                    string? error = null;
                    try
                    {
                        var inner = progress is null ? null : new InlineProgress<LlcProgress>(p =>
                            progress.Report(new AnalysisProgress(done + (double)p.Step / p.TotalSteps, total, checkpoint.Step, "llc: " + p.Phase)));
                        result = LlcEstimator.Run(potential, settings.ToOptions(stepSize), source, inner, cancel);
                    }
                    catch (Exception e) when (e is ArgumentException and not SettingsException or InvalidOperationException
                        or CheckpointFormatException or System.Runtime.InteropServices.ExternalException)
                    {
                        error = CheckpointRowFactory.OneLine(e.Message);
                    }
                    store.Write(key, [row]);
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
        // On the checkpoint asked for; by default on the last one, or, when it cannot be used (unreadable, corrupt,
        // NaN weights), on the latest one that can: one bad file must not stop the run.
        var candidates = settings.CalibrateAt is { } at
            ? [run.Checkpoints.FirstOrDefault(c => c.Step == at) ?? throw new SettingsException([$"llc.calibrate_at: the run has no checkpoint at step {at} (--calibrate-at)"])]
            : run.Checkpoints.Reverse().ToList();
        var problems = new List<string>();
        foreach (var target in candidates)
        {
            string key = PartKey.ForStep(target.Step);
            if (store.HasPart<CalibrationRow>(key))
            {
                var chosen = store.ReadPart<CalibrationRow>(key).Where(r => r.Chosen).ToList();
                if (chosen.Count == 1) return (chosen[0].StepSize, "calibrated");
            }
            progress?.Report(new AnalysisProgress(0, 1, target.Step, "llc: calibrating"));
            ICheckpointReader reader;
            IChainPotential potential;
            try
            {
                reader = target.Open();
            }
            catch (Exception e) when (CheckpointRowFactory.IsCheckpointFailure(e))
            {
                problems.Add($"step {target.Step}: {CheckpointRowFactory.OneLine(e.Message)}");
                continue;
            }
            try
            {
                potential = CheckpointPotentials.Create(spec, reader, data, loss, potentialOptions);
            }
            catch (Exception e) when (CheckpointRowFactory.IsCheckpointFailure(e))
            {
                reader.Dispose();
                problems.Add($"step {target.Step}: {CheckpointRowFactory.OneLine(e.Message)}");
                continue;
            }
            using (reader)
            using (potential)
            {
                if (NonFinite(potential) is { } why)
                {
                    problems.Add($"step {target.Step}: {Path.GetFileName(target.Path)}: {why}");
                    continue;
                }
                return Calibrate(settings, target, store, key, potential, progress, cancel);
            }
        }
        string first = problems.Count > 0 ? problems[0] : "the run has no checkpoints";
        throw new CheckpointFormatException(run.Directory, candidates.Count == 1
            ? $"cannot calibrate the step size on the checkpoint asked for ({first}); pass llc.step_size (--step-size) or another llc.calibrate_at"
            : $"no checkpoint of the run can be loaded to calibrate the step size ({problems.Count} tried; {first})");
    }

    private static (double StepSize, string Source) Calibrate(LlcSettings settings, RunCheckpoint target, AnalysisStore store, string key,
        IChainPotential potential, IProgress<AnalysisProgress>? progress, CancellationToken cancel)
    {
        var options = settings.ToOptions();
        var inner = progress is null ? null : new InlineProgress<LlcProgress>(p =>
            progress.Report(new AnalysisProgress(0, 1, target.Step, "llc: calibrating")));
        var calibration = new LlcCalibrator(CalibrationOptions.For(options)).Calibrate(potential, inner, cancel);
        double nBeta = options.ResolveNBeta(potential.SampleCount, potential.Dimension);
        store.Write(key, CalibrationRow.From(target.Step, calibration, nBeta, options.Localization));
        return (calibration.Chosen, "calibrated");
    }

    // Weights with NaN or Inf make every loss NaN: the LLC is undefined there, and saying so beats a NaN estimate.
    private static string? NonFinite(IChainPotential potential)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        long bad = potential.Center.isfinite().logical_not().sum().item<long>();
        return bad == 0 ? null : $"{bad} of the {potential.Center.numel()} weights are NaN or infinite; the LLC is undefined there";
    }
}
