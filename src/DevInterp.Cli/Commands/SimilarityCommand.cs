using System.CommandLine;
using System.Globalization;
using DevInterp.Analysis;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp similarity</c>: step × step representation similarity per layer over a whole run.</summary>
public static class SimilarityCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var shared = new RunAnalysisCommandOptions();
        var measures = new Option<string?>("--measures")
        {
            Description = $"Comma-separated measures (default linear_cka,debiased_cka; known: {string.Join(", ", SimilarityRunAnalysis.KnownMeasures)})",
        };
        var command = new Command("similarity",
            "Capture each checkpoint's layer activations on a fixed probe batch (cached per checkpoint under the analysis " +
            "folder, so a rerun resumes) and write every layer's step × step similarity matrix to the 'similarity' table. " +
            "Updates only the 'similarity' section of an existing analysis.json. Exit code 3 when some checkpoints failed " +
            "(recorded in the 'checkpoints' table; the rest are compared).");
        shared.AddTo(command);
        command.Options.Add(measures);
        command.WithExamples(
            "devinterp similarity checkpoints/dln --out analyses/dln",
            "devinterp similarity checkpoints/tms --out analyses/tms --measures linear_cka,rbf_cka,procrustes --probe-count 512",
            "devinterp similarity runs/gpt --out analyses/gpt --model gpt.json --task task.json --layers 'h.*' --json");
        command.SetGuardedAction(context, parse =>
        {
            IReadOnlyList<string>? chosen = parse.GetValue(measures) is { } m
                ? m.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : null;
            var inputs = shared.Prepare(parse, config =>
            {
                var settings = shared.ApplyProbe(parse, config.Similarity) with { Enabled = true };
                if (chosen is not null) settings = settings with { Measures = chosen };
                SimilarityRunAnalysis.Measures(settings); // an unknown name fails before anything is written
                return config with { Similarity = settings };
            }, "similarity");
            string folder = parse.GetValue(shared.Out)!;
            var reporter = new ProgressReporter(context, parse.GetValue(shared.Quiet));
            var result = reporter.Run("similarity", update =>
                SimilarityRunAnalysis.Run(folder, inputs, new SyncProgress<RunAnalysisProgress>(p => update(p.Done, p.Total, $"{p.Phase} {p.Detail}"))));
            if (parse.GetValue(shared.Json)) JsonOutput.Write(context.Out, result);
            else Print(context, folder, result);
            return RunAnalysisCommandOptions.Report(context, result.Failed);
        });
        return command;
    }

    private static void Print(CliContext context, string folder, SimilarityRunResult r)
    {
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Steps.Count} checkpoints (steps {r.Steps[0]}..{r.Steps[^1]}), {r.Layers.Count} layers, {r.Measures.Count} measures, {r.Cache.ProbeRows} probe inputs; " +
            $"activations captured {r.Cache.Captured}, cached {r.Cache.Reused}; matrices computed {r.PartsComputed}, kept {r.PartsKept}; written to {Path.GetFullPath(folder)}"));
        var table = new Table().AddColumns("layer", "measure", "first vs last", "largest change between checkpoints", "at step");
        foreach (var s in r.Summaries)
            table.AddRow(Markup.Escape(s.Layer), s.Measure, F(s.FirstToLast), F(s.LargestAdjacentChange),
                s.LargestAdjacentChangeStep?.ToString(CultureInfo.InvariantCulture) ?? "");
        context.OutConsole.Write(table);
    }

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
