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
        var shared = new RunAnalysisCommandOptions();
        var components = new Option<int?>("--components") { Description = "Principal components kept (at least 2), default 3" };
        var sigma = new Option<double?>("--smoothing-sigma") { Description = "Gaussian smoothing width along the run (0: none), default 1" };
        var axis = new Option<string?>("--smoothing-axis") { Description = "Units of the smoothing width: index (checkpoints, default) or log_step (ln(step + 1))" };
        var command = new Command("dynamics",
            "Essential dynamics: PCA of the model's outputs on a fixed probe batch across checkpoints, the smoothed path, " +
            "its curvature in the PC1–PC2 plane and the checkpoints where it turns sharply or reverses. Writes the " +
            "essential_dynamics tables; shares the activation cache with 'similarity' (a rerun resumes). Updates only " +
            "the 'dynamics' (and, with probe options, 'similarity') sections of an existing analysis.json. Exit code 3 " +
            "when some checkpoints failed.");
        shared.AddTo(command);
        command.Options.Add(components);
        command.Options.Add(sigma);
        command.Options.Add(axis);
        command.WithExamples(
            "devinterp dynamics checkpoints/tms --out analyses/tms",
            "devinterp dynamics checkpoints/dln --out analyses/dln --smoothing-axis log_step --smoothing-sigma 0.2",
            "devinterp dynamics runs/mine --out analyses/mine --model spec.json --task task.json --json");
        command.SetGuardedAction(context, parse =>
        {
            bool probeOptions = parse.GetValue(shared.ProbeCount) is not null || parse.GetValue(shared.ProbeSeed) is not null ||
                parse.GetValue(shared.ProbeFile) is not null || parse.GetValue(shared.ProbeTensor) is not null || parse.GetValue(shared.Layers) is not null;
            var inputs = shared.Prepare(parse, config =>
            {
                var d = config.Dynamics with { Enabled = true };
                if (parse.GetValue(components) is { } c) d = d with { Components = c };
                if (parse.GetValue(sigma) is { } s) d = d with { SmoothingSigma = s };
                if (parse.GetValue(axis) is { } a) d = d with { SmoothingAxis = a };
                DynamicsRunAnalysis.Options(d); // bad values fail before anything is written
                return config with { Dynamics = d, Similarity = shared.ApplyProbe(parse, config.Similarity) };
            }, probeOptions ? ["dynamics", "similarity"] : ["dynamics"]);
            string folder = parse.GetValue(shared.Out)!;
            var reporter = new ProgressReporter(context, parse.GetValue(shared.Quiet));
            var result = reporter.Run("dynamics", update =>
                DynamicsRunAnalysis.Run(folder, inputs, new SyncProgress<RunAnalysisProgress>(p => update(p.Done, p.Total, $"{p.Phase} {p.Detail}"))));
            if (parse.GetValue(shared.Json)) JsonOutput.Write(context.Out, Json(result));
            else Print(context, folder, result);
            return RunAnalysisCommandOptions.Report(context, result.Failed);
        });
        return command;
    }

    private static object Json(DynamicsRunResult r) => new
    {
        steps = r.Steps,
        explained_variance_ratio = r.Result.Pca.ExplainedVarianceRatio,
        transitions = r.Result.Transitions.Select(t => new
        {
            step = t.Step,
            curvature = t.Curvature,
            turning_angle = t.TurningAngleDegrees,
            reason = DynamicsCurvatureRow.From(r.Result).First(c => c.Step == t.Step).Reason,
        }),
        failed = r.Failed,
        cache = r.Cache,
    };

    private static void Print(CliContext context, string folder, DynamicsRunResult r)
    {
        var pca = r.Result.Pca;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Steps.Count} checkpoints (steps {r.Steps[0]}..{r.Steps[^1]}), {r.Cache.ProbeRows} probe inputs; activations captured {r.Cache.Captured}, cached {r.Cache.Reused}; " +
            $"explained variance {string.Join(", ", pca.ExplainedVarianceRatio.Select((v, k) => $"PC{k + 1} {v:P1}"))}; written to {Path.GetFullPath(folder)}"));
        var flagged = DynamicsCurvatureRow.From(r.Result).Where(c => c.Flagged).ToList();
        if (flagged.Count == 0)
        {
            context.Out.WriteLine("no candidate transition (no sharp turn or reversal of the PC1–PC2 path)");
            return;
        }
        var table = new Table().AddColumns("step", "curvature", "turning angle", "why");
        foreach (var c in flagged)
            table.AddRow(c.Step.ToString(CultureInfo.InvariantCulture), c.Curvature.ToString("G4", CultureInfo.InvariantCulture),
                c.TurningAngleDegrees.ToString("F1", CultureInfo.InvariantCulture) + "°", c.Reason ?? "");
        context.OutConsole.Write(table);
    }
}
