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
/// <param name="StepSizeSource"><c>given</c>, <c>run</c> (the run-level search), <c>run_fallback</c> or <c>calibrated</c>.</param>
/// <param name="Setting">The setting used for every checkpoint, where it came from and why (the <c>llc_setting</c> row).</param>
public sealed record LlcRunResult(IReadOnlyList<long> Estimated, IReadOnlyList<long> AlreadyDone,
    IReadOnlyList<(long Step, string Error)> Failed, double StepSize, string StepSizeSource, LlcSettingRow Setting)
{
    /// <summary>A one-line warning when the setting is a fallback (nothing passed), else null.</summary>
    public string? Warning => Setting.Confident ? null : $"llc: {Setting.Reason}";
}

/// <summary>
/// The LLC of every checkpoint of a run (of this shard's checkpoints), written to the analysis store as each finishes:
/// traces first, then the checkpoint row, then the llc row, whose presence marks the unit done, so a killed process
/// loses at most the checkpoint in flight and a rerun continues. One setting (ε, γ, draws, burn-in) serves every
/// checkpoint, so the values are comparable along the run: given in the settings, else found once by
/// <see cref="RunSettingSearch"/> on probe checkpoints early, in the middle and at the end of the run (or, with
/// <see cref="LlcSettings.CalibrateAt"/>, ε by the step-size sweep on that checkpoint), and recorded in
/// <c>llc_setting</c>. Each checkpoint's row records ‖∇L(w*)‖ and what its value means (<see cref="LlcReading"/>). A checkpoint that cannot be read is recorded in
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
        bool searching = settings.StepSize is null;
        double total = mine.Count + (searching ? 1 : 0);
        var setting = ResolveSetting(config, run, store, shard, spec, data, loss, potentialOptions, progress, cancel);
        double stepSize = setting.StepSize;
        string source = setting.Source;
        var options = settings.ToOptions(setting.StepSize, setting.Localization, setting.Draws, setting.BurnIn, setting.MaxDraws);

        var estimated = new List<long>();
        var already = new List<long>();
        var failed = new List<(long, string)>();
        int index = 0;
        foreach (var checkpoint in mine)
        {
            cancel.ThrowIfCancellationRequested();
            double done = index++ + (searching ? 1 : 0);
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
                    double gradientNorm = double.NaN, descentDrop = double.NaN;
                    try
                    {
                        var inner = progress is null ? null : new InlineProgress<LlcProgress>(p =>
                            progress.Report(new AnalysisProgress(done + (double)p.Step / p.TotalSteps, total, checkpoint.Step, "llc: " + p.Phase)));
                        result = LlcEstimator.Run(potential, options, source, inner, cancel);
                        gradientNorm = GradientNorm(potential);
                        descentDrop = DescentTest.Drop(potential);
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
                        store.Write(key, [LlcRow.From(checkpoint.Step, result, clock.Elapsed.TotalSeconds, gradientNorm, descentDrop)]);
                        estimated.Add(checkpoint.Step);
                    }
                    else
                    {
                        store.Write(key, [LlcRows.Failed(checkpoint.Step, settings, stepSize, setting.Localization, source, error!, clock.Elapsed.TotalSeconds)]);
                        failed.Add((checkpoint.Step, error!));
                    }
                }
            }
        }
        progress?.Report(new AnalysisProgress(total, total, null, "llc: done"));
        return new LlcRunResult(estimated, already, failed, stepSize, source, setting);
    }

    private static LlcSettingRow ResolveSetting(AnalysisConfig config, Run run, AnalysisStore store, Shard shard,
        ModelSpec spec, SupervisedData data, IChainLoss loss, CheckpointPotentialOptions potentialOptions,
        IProgress<AnalysisProgress>? progress, CancellationToken cancel)
    {
        var settings = config.Llc;
        string writtenBy = shard.Count > 1 ? $"shard{shard.Index}of{shard.Count}" : "";
        // A given ε means the sampler is the user's: γ is theirs too, or the single-checkpoint default.
        if (settings.StepSize is { } eps)
            return Record(store, new LlcSettingRow(writtenBy, "given", eps, settings.Localization ?? LlcSettings.DefaultLocalization, settings.Chains,
                settings.Draws ?? LlcSettings.DefaultDraws, settings.BurnIn ?? LlcSettings.DefaultBurnIn, settings.MaxDraws, true,
                settings.Localization is null ? $"ε given in the settings, γ the default {LlcSettings.DefaultLocalization}" : "ε and γ given in the settings",
                "", 0, double.NaN));
        // A resumed analysis keeps the setting it started with (the search is seeded, so a rerun would find the same).
        if (store.HasPart<LlcSettingRow>(PartKey.Whole) && store.ReadPart<LlcSettingRow>(PartKey.Whole).FirstOrDefault() is { } stored)
            return stored;
        var setting = settings.CalibrateAt is not null
            ? CalibrateOne(config, run, store, spec, data, loss, potentialOptions, writtenBy, progress, cancel)
            : Search(config, run, store, spec, data, loss, potentialOptions, writtenBy, progress, cancel);
        return Record(store, setting);
    }

    private static LlcSettingRow Record(AnalysisStore store, LlcSettingRow row)
    {
        store.Write(PartKey.Whole, [row]);
        return row;
    }

    // The run-level search on probe checkpoints early, in the middle and at the end of the run (the first readable
    // checkpoint at or after each position); trials go to the calibration table.
    private static LlcSettingRow Search(AnalysisConfig config, Run run, AnalysisStore store, ModelSpec spec, SupervisedData data,
        IChainLoss loss, CheckpointPotentialOptions potentialOptions, string writtenBy, IProgress<AnalysisProgress>? progress, CancellationToken cancel)
    {
        var settings = config.Llc;
        var probes = new List<(RunCheckpoint Checkpoint, ICheckpointReader Reader, IChainPotential Potential)>();
        var problems = new List<string>();
        try
        {
            int n = run.Checkpoints.Count;
            foreach (int target in ProbeIndices(n))
            {
                for (int i = target; i < n; i++)
                {
                    var c = run.Checkpoints[i];
                    if (probes.Any(p => p.Checkpoint.Step == c.Step)) break;
                    if (Load(c, spec, data, loss, potentialOptions, problems) is { } loaded)
                    {
                        probes.Add((c, loaded.Reader, loaded.Potential));
                        break;
                    }
                }
            }
            if (probes.Count == 0)
                throw new CheckpointFormatException(run.Directory, $"no checkpoint of the run can be loaded to choose the LLC setting ({problems.Count} tried; {(problems.Count > 0 ? problems[0] : "the run has no checkpoints")})");
            var baseOptions = settings.ToOptions(1);
            var searchOptions = new RunSettingOptions(Localizations: settings.Localization is { } g ? [g] : null);
            var search = new RunSettingSearch(baseOptions, searchOptions);
            var inner = progress is null ? null : new InlineProgress<LlcProgress>(p =>
                progress.Report(new AnalysisProgress(0, 1, null, "llc: " + p.Phase)));
            var found = search.Choose(probes.Select(p => new RunProbe(p.Checkpoint.Step, p.Potential)).ToList(), inner, cancel);
            double nBeta = baseOptions.ResolveNBeta(probes[0].Potential.SampleCount, probes[0].Potential.Dimension);
            // Every shard finds the same trials (the search is seeded): the first shard records them.
            if (writtenBy.Length == 0 || writtenBy.StartsWith("shard0of", StringComparison.Ordinal))
                foreach (var group in found.Trials.GroupBy(t => t.Step))
                    store.Write(PartKey.ForStep(group.Key), group.Select(t => TrialRow(t, nBeta, found)).ToList());
            var (draws, burnIn, maxDraws, budgetNote) = Budget(settings, found, run.Checkpoints.Count, searchOptions.MinDraws);
            return new LlcSettingRow(writtenBy, found.Confident ? "run" : "run_fallback", found.StepSize, found.Localization, settings.Chains,
                draws, burnIn, maxDraws, found.Confident, found.Reason + budgetNote,
                string.Join(", ", probes.Select(p => p.Checkpoint.Step.ToString(System.Globalization.CultureInfo.InvariantCulture))),
                found.Seconds, found.ChainStepsPerSecond);
        }
        finally
        {
            foreach (var p in probes)
            {
                p.Potential.Dispose();
                p.Reader.Dispose();
            }
        }
    }

    /// <summary>Probe positions: early (15 % into the run), the middle and the last checkpoint (distinct).</summary>
    internal static IReadOnlyList<int> ProbeIndices(int count) =>
        count == 0 ? [] : new[] { (int)Math.Round(0.15 * (count - 1)), (int)Math.Round(0.5 * (count - 1)), count - 1 }.Distinct().ToList();

    // Draws and burn-in: the search's (unless given), with the draws capped so the pass fits llc.max_minutes at the
    // rate measured on the probes, never below the minimum.
    private static (int Draws, int BurnIn, int MaxDraws, string Note) Budget(LlcSettings settings, RunSetting found, int checkpoints, int min)
    {
        int burnIn = settings.BurnIn ?? found.BurnIn;
        int draws = settings.Draws ?? found.Draws;
        int maxDraws = Math.Max(settings.MaxDraws, draws);
        if (settings.Draws is not null || !(found.ChainStepsPerSecond > 0)) return (draws, burnIn, maxDraws, "");
        double perChain = settings.MaxMinutes * 60 * found.ChainStepsPerSecond / (checkpoints * (double)settings.Chains) / settings.StepsBetweenDraws - burnIn;
        int fits = (int)Math.Floor(perChain);
        if (fits >= maxDraws) return (draws, burnIn, maxDraws, "");
        if (fits >= draws)
            return (draws, burnIn, fits, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"; at most {fits} draws per chain, so the pass fits {settings.MaxMinutes:G3} min (llc.max_minutes) at {found.ChainStepsPerSecond:F0} chain-steps/s"));
        int capped = Math.Max(min, fits);
        return (capped, burnIn, capped, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"; {capped} draws per chain instead of {draws}, so the pass fits {settings.MaxMinutes:G3} min (llc.max_minutes) at {found.ChainStepsPerSecond:F0} chain-steps/s{(fits < min ? $" (the minimum {min}: the pass takes longer)" : "")}"));
    }

    private static CalibrationRow TrialRow(ProbeTrial t, double nBeta, RunSetting found) =>
        new(t.Step, t.StepSize, nBeta, t.Localization, t.Mean, double.NaN, double.NaN, t.Drift,
            t.Passed ? LlcVerdict.Trusted : LlcVerdict.Untrusted, t.Reasons.Any(r => r.Contains("diverged", StringComparison.Ordinal)), t.Passed, t.Passed,
            t.Localization == found.Localization, t.Acceptance, t.StandardError, double.NaN, double.NaN, string.Join("; ", t.Reasons));

    private static (ICheckpointReader Reader, IChainPotential Potential)? Load(RunCheckpoint c, ModelSpec spec, SupervisedData data,
        IChainLoss loss, CheckpointPotentialOptions potentialOptions, List<string> problems)
    {
        ICheckpointReader reader;
        try
        {
            reader = c.Open();
        }
        catch (Exception e) when (CheckpointRowFactory.IsCheckpointFailure(e))
        {
            problems.Add($"step {c.Step}: {CheckpointRowFactory.OneLine(e.Message)}");
            return null;
        }
        IChainPotential potential;
        try
        {
            potential = CheckpointPotentials.Create(spec, reader, data, loss, potentialOptions);
        }
        catch (Exception e) when (CheckpointRowFactory.IsCheckpointFailure(e))
        {
            reader.Dispose();
            problems.Add($"step {c.Step}: {CheckpointRowFactory.OneLine(e.Message)}");
            return null;
        }
        if (NonFinite(potential) is { } why)
        {
            potential.Dispose();
            reader.Dispose();
            problems.Add($"step {c.Step}: {Path.GetFileName(c.Path)}: {why}");
            return null;
        }
        return (reader, potential);
    }

    // The step-size sweep on one checkpoint (llc.calibrate_at), with γ as given or the single-checkpoint default.
    private static LlcSettingRow CalibrateOne(AnalysisConfig config, Run run, AnalysisStore store, ModelSpec spec, SupervisedData data,
        IChainLoss loss, CheckpointPotentialOptions potentialOptions, string writtenBy, IProgress<AnalysisProgress>? progress, CancellationToken cancel)
    {
        var settings = config.Llc;
        long at = settings.CalibrateAt!.Value;
        var target = run.Checkpoints.FirstOrDefault(c => c.Step == at)
            ?? throw new SettingsException([$"llc.calibrate_at: the run has no checkpoint at step {at} (--calibrate-at)"]);
        var problems = new List<string>();
        var loaded = Load(target, spec, data, loss, potentialOptions, problems)
            ?? throw new CheckpointFormatException(run.Directory, $"cannot calibrate the step size on the checkpoint asked for ({problems[0]}); pass llc.step_size (--step-size) or another llc.calibrate_at");
        using var reader = loaded.Reader;
        using var potential = loaded.Potential;
        var options = settings.ToOptions();
        progress?.Report(new AnalysisProgress(0, 1, target.Step, "llc: calibrating"));
        var calibration = new LlcCalibrator(CalibrationOptions.For(options)).Calibrate(potential, null, cancel);
        double nBeta = options.ResolveNBeta(potential.SampleCount, potential.Dimension);
        store.Write(PartKey.ForStep(target.Step), CalibrationRow.From(target.Step, calibration, nBeta, options.Localization));
        return new LlcSettingRow(writtenBy, "calibrated", calibration.Chosen, options.Localization, settings.Chains, options.Draws, options.BurnIn,
            options.MaxDraws, calibration.Confident, $"ε by the step-size sweep at step {target.Step}: {calibration.Reason}",
            target.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), 0, double.NaN);
    }

    // ‖∇L(w*)‖ on the full training set.
    private static double GradientNorm(IChainPotential potential)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var w = potential.Center.unsqueeze(0);
        var g = TorchSharp.torch.zeros_like(w);
        potential.Loss(w, null, g);
        return g.to_type(TorchSharp.torch.ScalarType.Float64).norm().item<double>();
    }

    // Weights with NaN or Inf make every loss NaN: the LLC is undefined there, and saying so beats a NaN estimate.
    private static string? NonFinite(IChainPotential potential)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        long bad = potential.Center.isfinite().logical_not().sum().item<long>();
        return bad == 0 ? null : $"{bad} of the {potential.Center.numel()} weights are NaN or infinite; the LLC is undefined there";
    }
}
