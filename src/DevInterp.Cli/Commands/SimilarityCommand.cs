using System.CommandLine;
using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Storage;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp similarity</c>: step × step representation similarity per layer over a whole run.</summary>
public static class SimilarityCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var run = PathArgument.Create("run", "The run directory (checkpoints ordered by step)");
        var inputs = new RunInputs();
        var probe = new ProbeOptions();
        var layers = new Option<string?>("--layers") { Description = "Comma-separated glob patterns over module names (e.g. 'h.*.attn,h.*.mlp'); default: the model's usual layers (docs/activations.md)" };
        var measures = new Option<string?>("--measures")
        {
            Description = $"Comma-separated measures, default linear_cka,debiased_cka (known: {string.Join(", ", SimilarityRunAnalysis.KnownMeasures)})",
        };
        var command = new Command("similarity",
            "Run a fixed probe batch through every checkpoint (one model in memory at a time), capture the chosen layers' " +
            "outputs and write each layer's step × step similarity matrix to the 'similarity' table as tidy rows (layer, " +
            "measure, step_a, step_b, value); the adjacent-step, to-final and to-initial curves are its superdiagonal and " +
            "columns (docs/similarity.md). Activations are cached per checkpoint under the analysis folder, so rerunning " +
            "resumes. Exit code 3 when some checkpoints failed (recorded in the 'checkpoints' table; the rest are compared).");
        command.Arguments.Add(run);
        inputs.AddTo(command);
        command.Options.Add(layers);
        command.Options.Add(measures);
        probe.AddTo(command);
        command.WithExamples(
            "devinterp similarity checkpoints/dln --out analyses/dln",
            "devinterp similarity checkpoints/tms --out analyses/tms --measures linear_cka,rbf_cka,procrustes --probe-count 512",
            "devinterp similarity runs/gpt --out analyses/gpt --model gpt.json --task task.json --layers 'h.*' --json");
        command.SetGuardedAction(context, parse =>
        {
            using var writer = inputs.Lock(parse, context, parse.GetValue(run)!);
            var settings = probe.Apply(parse, new SimilaritySettings(Layers: parse.GetValue(layers)));
            if (parse.GetValue(measures) is { } m)
                settings = settings with { Measures = m.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) };
            if (settings.Layers is { } l) Activations.LayerSelection.Parse(l); // an empty pattern fails before anything is written
            settings.Validate(); // an unknown measure fails before anything is written
            var (r, config) = inputs.Resolve(parse, parse.GetValue(run)!, context, settings: c => c with { Similarity = settings });
            var (cfg, store) = AnalysisFolder.Open(parse.GetValue(inputs.Out)!, config with { Similarity = settings }, [AnalysisSection.Similarity]);
            var reporter = new ProgressReporter(context, parse.GetValue(inputs.Quiet));
            var result = reporter.Run("similarity", update => SimilarityRunAnalysis.Run(cfg, r, store,
                new SyncProgress<AnalysisProgress>(p => update(p.Done, p.Total, p.Step is { } st ? $"step {st} ({p.Activity})" : p.Activity))));
            store.ConsolidateChanged(CheckpointRow.Schema.Name, SimilarityRow.Schema.Name);
            if (parse.GetValue(inputs.Json)) JsonOutput.Write(context.Out, Json(result));
            else Print(context, store, result);
            return RunAnalysisReport.Failures(context, result.Failed, r.Checkpoints.Count);
        });
        return command;
    }

    private static object Json(SimilarityRunResult r) => new
    {
        steps = r.Steps,
        layers = r.Layers,
        measures = r.Measures,
        probe_rows = r.Cache.ProbeRows,
        activations_captured = r.Cache.Captured,
        activations_cached = r.Cache.Reused,
        matrices_computed = r.PartsComputed,
        matrices_kept = r.PartsKept,
        summaries = r.Summaries.Select(s => new
        {
            layer = s.Layer,
            measure = s.Measure,
            first_to_last = s.FirstToLast,
            largest_adjacent_change = s.LargestAdjacentChange,
            largest_adjacent_change_step = s.LargestAdjacentChangeStep,
        }),
        failed = r.Failed.Select(f => new { step = f.Step, error = f.Error }),
    };

    private static void Print(CliContext context, AnalysisStore store, SimilarityRunResult r)
    {
        var table = new Table().AddColumns("layer", "measure", "first vs last", "largest change between checkpoints", "at step");
        foreach (var s in r.Summaries)
            table.AddRow(Markup.Escape(s.Layer), s.Measure, F(s.FirstToLast), F(s.LargestAdjacentChange),
                s.LargestAdjacentChangeStep?.ToString(CultureInfo.InvariantCulture) ?? "–");
        context.OutConsole.Write(table);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Steps.Count} checkpoints compared (steps {r.Steps[0]}..{r.Steps[^1]}), {r.Layers.Count} layers, {r.Measures.Count} measures, {r.Cache.ProbeRows} probe inputs; " +
            $"activations captured {r.Cache.Captured}, cached {r.Cache.Reused}; matrices computed {r.PartsComputed}, kept {r.PartsKept}, {r.Failed.Count} checkpoints failed; " +
            $"written to {store.TablePath(SimilarityRow.Schema.Name)}"));
    }

    private static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("G4", CultureInfo.InvariantCulture);
}
