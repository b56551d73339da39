using System.CommandLine;
using System.Globalization;
using DevInterp.Training;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp train</c>: train a preset or configured model and write a checkpoint series with a manifest.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var output = PathArgument.Create("output", "Directory to write the run into (step_NNNNNN.safetensors, manifest.json, loss_curve.csv)");
        var preset = new Option<string?>("--preset") { Description = $"A built-in run: {string.Join(", ", TrainingPresets.Names)}" };
        var config = new Option<string?>("--config") { Description = "A training config JSON ({name, model, task, training}) or an existing run's manifest.json" };
        var steps = new Option<long?>("--steps") { Description = "Override the number of optimizer steps" };
        var seed = new Option<long?>("--seed") { Description = "Override the seed (initialization, data sampling)" };
        var checkpoints = new Option<int?>("--checkpoints") { Description = "Override the number of checkpoints" };
        var linear = new Option<bool>("--linear") { Description = "Space checkpoints linearly instead of logarithmically (dense early, sparse late)" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace a run already in the output directory" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display" };
        var command = new Command("train",
            "Train a model and write its checkpoints (safetensors, logarithmically spaced steps by default) and a " +
            "manifest.json. Deterministic for a seed: the same command writes byte-identical files.")
        {
            output, preset, config, steps, seed, checkpoints, linear, overwrite, quiet,
        };
        command.WithExamples(
            "devinterp train runs/grok --preset grok",
            "devinterp train runs/dln --preset dln",
            "devinterp train runs/tms --preset tms --seed 2 --steps 8000",
            "devinterp train runs/mine --config my-run.json --checkpoints 60 --linear");
        command.SetGuardedAction(context, parse =>
        {
            string? p = parse.GetValue(preset), c = parse.GetValue(config);
            if ((p is null) == (c is null)) throw new UsageException("give exactly one of --preset or --config");
            if (p is not null && !TrainingPresets.Names.Contains(p))
                throw new UsageException($"--preset '{p}' is not one of {string.Join(", ", TrainingPresets.Names)}");
            var cfg = p is not null ? TrainingPresets.Get(p) : TrainingConfig.FromJsonFile(c!);
            var settings = cfg.Training;
            if (parse.GetValue(steps) is { } s) settings = settings with { Steps = s };
            if (parse.GetValue(seed) is { } sd) settings = settings with { Seed = sd };
            int? count = parse.GetValue(checkpoints);
            if (parse.GetValue(linear) || count is not null)
            {
                int n = count ?? settings.EffectiveSchedule.Count;
                // A log schedule keeps its offset (the grok preset's early spacing) when only the count changes.
                var current = settings.EffectiveSchedule;
                settings = settings with
                {
                    Schedule = parse.GetValue(linear) ? CheckpointSchedule.LinearSpaced(n)
                        : current.Kind == CheckpointSchedule.Log ? current with { Count = n } : CheckpointSchedule.LogSpaced(n),
                };
            }
            cfg = cfg with { Training = settings };
            cfg.Validate();
            string dir = parse.GetValue(output)!;
            var reporter = new ProgressReporter(context, parse.GetValue(quiet));
            var result = reporter.Run($"train {cfg.Name}", update =>
                Trainer.Run(cfg, dir, new SyncProgress<TrainingProgress>(t =>
                    update(t.Step, t.TotalSteps, string.Create(CultureInfo.InvariantCulture, $"step {t.Step}/{t.TotalSteps}, loss {t.TrainLoss:G4}"))),
                    parse.GetValue(overwrite)));
            var last = result.Manifest.Checkpoints[^1];
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {result.Manifest.Checkpoints.Count} checkpoints (steps 0..{last.Step}) and manifest.json to {Path.GetFullPath(dir)} in {result.Elapsed.TotalSeconds:F1} s; final loss {result.LossCurve[^1].Loss:G4}"));
            return ExitCodes.Success;
        });
        return command;
    }
}
