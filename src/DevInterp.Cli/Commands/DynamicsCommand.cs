using System.CommandLine;
using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Storage;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp dynamics</c>: essential dynamics of a run's outputs on the probe batch.</summary>
public static class DynamicsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var run = PathArgument.Create("run", "The run directory (checkpoints ordered by step)");
        var inputs = new RunInputs();
        var probe = new ProbeOptions();
        var components = new Option<int>("--components") { Description = "Principal components kept (at least 2)", DefaultValueFactory = _ => 3 };
        var sigma = new Option<double>("--smoothing-sigma") { Description = "Gaussian smoothing width along the run, in units of --smoothing-axis (0: none)", DefaultValueFactory = _ => 1.0 };
        var axis = new Option<string>("--smoothing-axis") { Description = "Units of the smoothing width: index (checkpoints) or log_step (ln(step + 1))", DefaultValueFactory = _ => "index" };
        var command = new Command("dynamics",
            "Essential dynamics: PCA over training of the model's outputs on a fixed probe batch (a T × (inputs·outputs) " +
            "matrix centred over checkpoints), the explained variance, the Gaussian-smoothed path in the top components, " +
            "its curvature in the PC1–PC2 plane (osculating circles) and the checkpoints where it turns sharply or " +
            "reverses, flagged as candidate transitions (docs/similarity.md). Writes the essential_dynamics tables; shares " +
            "the per-checkpoint activation cache with 'similarity', so rerunning resumes. Exit code 3 when some " +
            "checkpoints failed.");
        command.Arguments.Add(run);
        inputs.AddTo(command);
        command.Options.Add(components);
        command.Options.Add(sigma);
        command.Options.Add(axis);
        probe.AddTo(command);
        command.WithExamples(
            "devinterp dynamics checkpoints/tms --out analyses/tms",
            "devinterp dynamics checkpoints/dln --out analyses/dln --smoothing-axis log_step --smoothing-sigma 0.2",
            "devinterp dynamics runs/mine --out analyses/mine --model spec.json --task task.json --json");
        command.SetGuardedAction(context, parse =>
        {
            using var writer = inputs.Lock(parse, context, parse.GetValue(run)!);
            string outDir = parse.GetValue(inputs.Out)!;
            var dynamics = new DynamicsSettings(true, parse.GetValue(components), parse.GetValue(sigma), parse.GetValue(axis)!);
            dynamics.Validate(); // bad values fail before anything is written
            // The probe lives in the similarity section (the cache is shared): start from the recorded one.
            var stored = ProbeOptions.Stored(outDir);
            var (r, config) = inputs.Resolve(parse, parse.GetValue(run)!, context, settings:
                c => c with { Dynamics = dynamics, Similarity = probe.Apply(parse, stored ?? c.Similarity) });
            var similarity = config.Similarity;
            AnalysisSection[] sections = probe.Given(parse) ? [AnalysisSection.Dynamics, AnalysisSection.Similarity] : [AnalysisSection.Dynamics];
            var (cfg, store) = AnalysisFolder.Open(outDir, config with { Dynamics = dynamics, Similarity = similarity }, sections);
            var reporter = new ProgressReporter(context, parse.GetValue(inputs.Quiet));
            var result = reporter.Run("dynamics", update => DynamicsRunAnalysis.Run(cfg, r, store,
                new SyncProgress<AnalysisProgress>(p => update(p.Done, p.Total, p.Step is { } st ? $"step {st} ({p.Activity})" : p.Activity))));
            store.ConsolidateChanged(CheckpointRow.Schema.Name, DynamicsCoordinateRow.Schema.Name,
                DynamicsVarianceRow.Schema.Name, DynamicsCurvatureRow.Schema.Name);
            if (parse.GetValue(inputs.Json)) JsonOutput.Write(context.Out, Json(result));
            else Print(context, store, result);
            return RunAnalysisReport.Failures(context, result.Failed, r.Checkpoints.Count);
        });
        return command;
    }

    private static object Json(DynamicsRunResult r) => new
    {
        steps = r.Steps,
        explained_variance_ratio = r.Result.Pca.ExplainedVarianceRatio,
        transitions = DynamicsCurvatureRow.From(r.Result).Where(c => c.Flagged).Select(c => new
        {
            step = c.Step,
            curvature = c.Curvature,
            turning_angle_degrees = c.TurningAngleDegrees,
            reason = c.Reason,
        }),
        activations_captured = r.Cache.Captured,
        activations_cached = r.Cache.Reused,
        failed = r.Failed.Select(f => new { step = f.Step, error = f.Error }),
    };

    private static void Print(CliContext context, AnalysisStore store, DynamicsRunResult r)
    {
        var flagged = DynamicsCurvatureRow.From(r.Result).Where(c => c.Flagged).ToList();
        if (flagged.Count == 0) context.Out.WriteLine("no candidate transition (no sharp turn or reversal of the PC1–PC2 path)");
        else
        {
            var table = new Table().AddColumns("step", "curvature", "turning angle", "why");
            foreach (var c in flagged)
                table.AddRow(c.Step.ToString(CultureInfo.InvariantCulture), c.Curvature.ToString("G4", CultureInfo.InvariantCulture),
                    c.TurningAngleDegrees.ToString("F1", CultureInfo.InvariantCulture) + "°", Markup.Escape(c.Reason ?? ""));
            context.OutConsole.Write(table);
        }
        var pca = r.Result.Pca;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Steps.Count} checkpoints (steps {r.Steps[0]}..{r.Steps[^1]}), {r.Cache.ProbeRows} probe inputs; activations captured {r.Cache.Captured}, cached {r.Cache.Reused}, {r.Failed.Count} checkpoints failed; " +
            $"explained variance {string.Join(", ", pca.ExplainedVarianceRatio.Select((v, k) => $"PC{k + 1} {v:P1}"))}; written to {store.TablePath(DynamicsCoordinateRow.Schema.Name)}"));
    }
}
