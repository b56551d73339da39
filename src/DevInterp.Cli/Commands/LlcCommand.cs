using System.CommandLine;
using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Checkpoints;
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Runs;
using DevInterp.Storage;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp llc</c>: the local learning coefficient of every checkpoint of a run; <c>llc calibrate</c>: the step-size sweep.</summary>
public static class LlcCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Build(CliContext context)
    {
        var run = PathArgument.Create("run", "The run directory (checkpoints ordered by step)");
        var inputs = new RunInputs();
        var flags = new LlcFlags();
        var calibrateAt = new Option<long?>("--calibrate-at") { Description = "Step of the checkpoint to calibrate on (default: the last)" };
        var shard = new Option<string?>("--shard") { Description = "Process every n-th checkpoint: i/n (0-based) — n processes can share a run; their parts merge" };
        var command = new Command("llc",
            "Estimate the local learning coefficient λ̂ = nβ·(E[L(w)] − L(w*)) of every checkpoint with SGLD chains, with " +
            "diagnostics and a trusted/doubtful/untrusted verdict per estimate (docs/llc.md). Results are written to the " +
            "analysis folder as each checkpoint finishes (llc, llc_traces, calibration tables); rerunning resumes.");
        command.Arguments.Add(run);
        inputs.AddTo(command);
        foreach (var o in flags.All) command.Options.Add(o);
        command.Options.Add(calibrateAt);
        command.Options.Add(shard);
        command.WithExamples(
            "devinterp llc checkpoints/dln --out analyses/dln",
            "devinterp llc checkpoints/tms --out analyses/tms --chains 16 --seed 3",
            "devinterp llc my-run --model mlp.json --task task.json --name-map names.json --out analyses/mine --step-size 1e-5",
            "devinterp llc checkpoints/dln --out analyses/dln --shard 0/2   # and 1/2 in another process");
        command.SetGuardedAction(context, parse =>
        {
            var shardSpec = parse.GetValue(shard) is { } s ? Shard.Parse(s) : Shard.All;
            using var writer = inputs.Lock(parse, context, parse.GetValue(run)!, shared: shardSpec.Count > 1);
            var llc = flags.Settings(parse) with { CalibrateAt = parse.GetValue(calibrateAt) };
            var (r, config) = inputs.Resolve(parse, parse.GetValue(run)!, context, settings: c => c with { Llc = llc });
            var (cfg, store) = AnalysisFolder.Open(parse.GetValue(inputs.Out)!, config, [AnalysisSection.Llc],
                shardSpec.Count > 1 ? $"shard{shardSpec.Index}of{shardSpec.Count}" : null);
            var reporter = new ProgressReporter(context, parse.GetValue(inputs.Quiet));
            var result = reporter.Run("llc", update => LlcRunAnalysis.Run(cfg, r, store, shardSpec,
                new SyncProgress<AnalysisProgress>(p => update(p.Done, p.Total, p.Step is { } st ? $"step {st} ({p.Activity})" : p.Activity))));
            store.ConsolidateChanged("checkpoints", "llc", "llc_traces", "calibration", "llc_setting");
            Print(context, store, parse.GetValue(inputs.Json), result);
            return RunAnalysisReport.Failures(context, result.Failed, r.Checkpoints.Where((_, i) => shardSpec.Includes(i)).Count());
        });
        command.Subcommands.Add(BuildCalibrate(context));
        return command;
    }

    private static void Print(CliContext context, AnalysisStore store, bool json, LlcRunResult result)
    {
        var rows = store.Read<LlcRow>().OrderBy(r => r.Step).ToList();
        if (json)
        {
            JsonOutput.Write(context.Out, rows.Select(r => new
            {
                step = r.Step, mean = r.Mean, std = r.Std, verdict = r.Verdict.ToString().ToLowerInvariant(), reasons = r.Reasons,
                r_hat = r.RHat, bulk_ess = r.BulkEss, step_size = r.StepSize, step_size_source = r.StepSizeSource, nbeta = r.NBeta,
                localization = r.Localization, grad_norm = r.GradientNorm,
                reading = r.Reading is { } reading ? StoreEnums.Format(reading) : null, reading_reason = r.ReadingReason,
            }));
            return;
        }
        var table = new Table().AddColumns("step", "λ̂", "std", "R̂", "ESS", "‖∇L(w*)‖", "reading", "verdict");
        foreach (var r in rows)
        {
            string verdict = r.Verdict switch
            {
                LlcVerdict.Trusted => "trusted",
                LlcVerdict.Doubtful => "[yellow]doubtful[/]",
                _ => "[red]untrusted[/]",
            };
            string reading = r.Reading switch
            {
                LlcReading.LocalMinimum => "local minimum",
                LlcReading.Localized => "localized",
                LlcReading.Untrusted => "[red]untrusted[/]",
                _ => "–",
            };
            table.AddRow(r.Step.ToString(CultureInfo.InvariantCulture), F(r.Mean), F(r.Std), F(r.RHat), F(r.BulkEss), F(r.GradientNorm), reading, verdict);
        }
        context.OutConsole.Write(table);
        var s = result.Setting;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ε = {s.StepSize:G3}, γ = {s.Localization:G3}, {s.Chains} chains × {s.Draws}–{s.MaxDraws} draws after {s.BurnIn} burn-in ({s.Source}); {result.Estimated.Count} estimated, {result.AlreadyDone.Count} already done, {result.Failed.Count} failed"));
        context.Out.WriteLine($"why: {PrintableText.OneLine(s.Reason)}");
        if (result.Warning is { } warning) context.Warn(warning);
    }

    private static Command BuildCalibrate(CliContext context)
    {
        var target = PathArgument.Create("target", "A checkpoint file, or a run directory (its last checkpoint unless --step)");
        var step = new Option<long?>("--step") { Description = "Step of the run's checkpoint to calibrate on" };
        var model = new Option<string?>("--model") { Description = "Model spec JSON; default: the run's manifest.json" };
        var task = new Option<string?>("--task") { Description = "Task spec JSON; default: the run's manifest.json" };
        var nameMap = new Option<string?>("--name-map") { Description = "Name map for foreign checkpoints: a JSON file, or a built-in map: transformerlens, hf-gpt2" };
        var key = new Option<string?>("--key") { Description = "Key path of the state dict inside the checkpoint" };
        var outDir = new Option<string?>("--out") { Description = "Analysis folder to save the grid into (calibration table, calibration.json)" };
        var nbetas = new Option<string?>("--nbetas") { Description = "Extra nβ values to sweep, comma-separated (sensitivity table)" };
        var gammas = new Option<string?>("--localizations") { Description = "Extra γ values to sweep, comma-separated" };
        var json = new Option<bool>("--json") { Description = "Print the grid as JSON" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display" };
        var flags = new LlcFlags();
        var command = new Command("calibrate",
            "Sweep the SGLD step size ε (and optionally nβ and γ) on one checkpoint and pick the largest ε whose estimate " +
            "is stable (within its chain spread of the estimate at the next smaller ε) and whose chains pass the " +
            "diagnostics. Prints the grid; with --out saves it (Arrow calibration table and calibration.json) for plotting.")
        { target, step, model, task, nameMap, key, outDir, nbetas, gammas, json, quiet };
        foreach (var o in flags.All) command.Options.Add(o);
        command.WithExamples(
            "devinterp llc calibrate checkpoints/dln",
            "devinterp llc calibrate checkpoints/tms --step 1116 --nbetas 100,1000 --out analyses/tms-calibration",
            "devinterp llc calibrate model.pt --key model --model mlp.json --task task.json --json");
        command.SetGuardedAction(context, parse =>
        {
            string path = parse.GetValue(target)!;
            string? k = parse.GetValue(key);
            RunCheckpoint checkpoint;
            Run? run = null;
            if (Directory.Exists(path) && (!CheckpointFile.FolderWeightFiles.Any(f => File.Exists(Path.Combine(path, f))) || Run.HoldsCheckpoints(path)))
            {
                run = Run.Open(path, new RunOpenOptions(k));
                checkpoint = parse.GetValue(step) is { } s
                    ? run.Checkpoints.FirstOrDefault(c => c.Step == s) ?? throw new UsageException($"--step {s}: the run has no checkpoint at that step")
                    : run.Checkpoints[^1];
            }
            else
            {
                checkpoint = new RunCheckpoint(0, StepUnit.Step, path, "given", k);
            }
            string baseDir = run?.Directory ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
            var modelJson = RunInputs.ReadJson(parse.GetValue(model), "--model") ?? (System.Text.Json.Nodes.JsonObject?)run?.Manifest?.Model?.DeepClone()
                ?? throw new UsageException("no model spec: pass --model spec.json (the target has no manifest.json)");
            string? taskFile = parse.GetValue(task);
            var taskJson = RunInputs.ReadJson(taskFile, "--task") ?? (System.Text.Json.Nodes.JsonObject?)run?.Manifest?.Task?.DeepClone()
                ?? throw new UsageException("no task: pass --task task.json (the target has no manifest.json)");
            var taskSpec = DevInterp.Tasks.TaskSpec.Parse(taskJson, taskFile is null ? baseDir : Path.GetDirectoryName(Path.GetFullPath(taskFile)));
            var settings = flags.Settings(parse);
            // The memory the chains need against the machine's, before the checkpoint is read (as for a run's analysis).
            new AnalysisConfig("calibrate", new RunSource(path, k, []), modelJson, null, taskJson, "float32", settings,
                new SimilaritySettings(Enabled: false), new DynamicsSettings(Enabled: false), new StageSettings(Enabled: false)).Validate();
            var options = settings.ToOptions();
            var calibrationOptions = CalibrationOptions.For(options) with
            {
                NBetas = ParseList(parse.GetValue(nbetas), "--nbetas"),
                Localizations = ParseList(parse.GetValue(gammas), "--localizations"),
            };
            var spec = ModelSpec.Parse(modelJson);
            var map = RunInputs.ReadNameMap(parse.GetValue(nameMap)) is { } m ? NameMap.Parse(m) : null;
            using var training = taskSpec.LoadTraining();
            DevInterp.Tasks.TaskModelFit.Check(training, spec);
            var (data, loss) = training;
            using var reader = checkpoint.Open();
            using var potential = CheckpointPotentials.Create(spec, reader, data, loss,
                new CheckpointPotentialOptions(TorchSharp.torch.ScalarType.Float32, settings.ParameterPattern, new StateDictLoadOptions(Map: map)));
            var reporter = new ProgressReporter(context, parse.GetValue(quiet));
            var result = reporter.Run("calibrate", update => new LlcCalibrator(calibrationOptions).Calibrate(potential,
                new SyncProgress<LlcProgress>(p => update(p.Step, p.TotalSteps, p.Phase))));
            double nBeta = options.ResolveNBeta(potential.SampleCount, potential.Dimension);
            var rows = CalibrationRow.From(checkpoint.Step, result, nBeta, options.Localization);
            if (parse.GetValue(outDir) is { } o)
            {
                context.GivenOut = o;
                using var writer = AnalysisLock.Acquire(o);
                var store = AnalysisStore.Open(o);
                store.Write(PartKey.ForStep(checkpoint.Step), rows);
                store.Consolidate("calibration");
                AtomicFile.WriteAllText(Path.Combine(o, "calibration.json"), System.Text.Json.JsonSerializer.Serialize(ToJson(checkpoint, result), JsonOutput.Options));
            }
            if (parse.GetValue(json)) JsonOutput.Write(context.Out, ToJson(checkpoint, result));
            else
            {
                var table = new Table().AddColumns("ε", "nβ", "γ", "λ̂", "std", "R̂", "drift", "verdict", "passing", "chosen");
                foreach (var p in result.Grid)
                {
                    bool chosen = p.StepSize == result.Chosen && p.NBeta == nBeta && p.Localization == options.Localization;
                    table.AddRow(F(p.StepSize), F(p.NBeta), F(p.Localization), F(p.Mean), F(p.Std), F(p.RHat), F(p.Drift),
                        p.Diverged ? "[red]diverged[/]" : p.Verdict.ToString().ToLowerInvariant(), p.Passing ? "yes" : "no", chosen ? "[green]◀[/]" : "");
                }
                context.OutConsole.Write(table);
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chosen ε = {result.Chosen:G3}: {result.Reason}"));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static object ToJson(RunCheckpoint checkpoint, CalibrationResult result) => new
    {
        checkpoint = checkpoint.Path,
        step = checkpoint.Step,
        chosen_step_size = result.Chosen,
        confident = result.Confident,
        reason = result.Reason,
        grid = result.Grid.Select(p => new
        {
            step_size = p.StepSize, nbeta = p.NBeta, localization = p.Localization, mean = p.Mean, std = p.Std, r_hat = p.RHat,
            drift = p.Drift, verdict = p.Verdict.ToString().ToLowerInvariant(), diverged = p.Diverged, passing = p.Passing, stable = p.Stable,
        }),
    };

    private static IReadOnlyList<double>? ParseList(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var values = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0))
                throw new UsageException($"{option} '{part}' is not a positive number");
            values.Add(v);
        }
        return values;
    }

    private static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("G4", CultureInfo.InvariantCulture);
}
