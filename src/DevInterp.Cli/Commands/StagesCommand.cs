using System.CommandLine;
using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Storage;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp stages</c>: the combined stage table of an analysis folder.</summary>
public static class StagesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var folder = PathArgument.Create("analysis", "An analysis folder (analyses/NAME) holding results of llc, similarity and/or dynamics");
        var json = new Option<bool>("--json") { Description = "Print the signals, notes and stage rows as JSON" };
        var penalty = new Option<double?>("--penalty") { Description = "Cut the loss and accuracy curves by the classic change-point search with this penalty instead of the noise model (docs/stages.md)" };
        var tolerance = new Option<double?>("--tolerance") { Description = "Merge boundaries of different signals within this many checkpoints (default 2)" };
        var minSegment = new Option<int?>("--min-segment-size") { Description = "Fewest checkpoints per change-point segment (default 2)" };
        var cost = new Option<string?>("--cost") { Description = "Change-point cost: l2 (default), l1, normal, rbf" };
        var method = new Option<string?>("--method") { Description = "Change-point search: pelt (default), binseg, dynp" };
        var command = new Command("stages",
            "Build the stage table from whatever the analysis folder holds — the loss and accuracy of the checkpoints " +
            "table, each layer's similarity matrix, the LLC per checkpoint, the essential-dynamics transitions — in any " +
            "combination: each signal proposes stage boundaries, boundaries of different signals within the tolerance are " +
            "merged, and every stage gets its start and end step, loss and LLC change, LLC trend, the signals that put a " +
            "boundary at its start and a confidence from their agreement (docs/stages.md). Writes the 'stages' table. " +
            "Options given are recorded in the 'stages' section of analysis.json and used again by later runs.")
        {
            folder, json, penalty, tolerance, minSegment, cost, method,
        };
        command.WithExamples(
            "devinterp stages analyses/dln",
            "devinterp stages analyses/tms --json",
            "devinterp stages analyses/tms --tolerance 1 --penalty 5");
        command.SetGuardedAction(context, parse =>
        {
            string dir = parse.GetValue(folder)!;
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such analysis folder");
            using var writer = AnalysisLock.Acquire(dir);
            string configPath = Path.Combine(dir, AnalysisConfig.FileName);
            var stored = File.Exists(configPath) ? AnalysisConfig.Load(configPath) : null;
            var settings = stored?.Stages ?? new StageSettings();
            if (parse.GetValue(penalty) is { } p) settings = settings with { Penalty = p };
            if (parse.GetValue(tolerance) is { } t) settings = settings with { Tolerance = t };
            if (parse.GetValue(minSegment) is { } m) settings = settings with { MinSegmentSize = m };
            if (parse.GetValue(cost) is { } c) settings = settings with { Cost = c };
            if (parse.GetValue(method) is { } me) settings = settings with { Method = me };
            settings.Validate(); // bad values fail before anything is written
            var store = stored is null
                ? AnalysisStore.Open(dir)
                : AnalysisFolder.Open(dir, stored with { Stages = settings }, [AnalysisSection.Stages]).Store;
            var result = StageAnalysis.Run(store, settings, stored?.Dynamics);
            store.Consolidate(StageSummaryRow.Schema.Name);
            if (parse.GetValue(json)) JsonOutput.Write(context.Out, Json(result));
            else Print(context, result);
            return ExitCodes.Success;
        });
        return command;
    }

    private static object Json(StageAnalysisResult r) => new
    {
        steps = r.Steps,
        signals = r.Signals.Select(s => new
        {
            name = s.Name,
            source = s.Source,
            boundaries = s.Boundaries.Steps,
            coverage_start = s.Boundaries.CoverageStart,
            coverage_end = s.Boundaries.CoverageEnd,
        }),
        notes = r.Notes,
        excluded_llc_steps = r.ExcludedLlcSteps,
        stages = r.Rows.Select(row => new
        {
            stage = row.Stage,
            start_step = row.StartStep,
            end_step = row.EndStep,
            llc_trend = row.LlcTrend is { } t ? StoreEnums.Format(t) : null,
            llc_change = row.LlcChange,
            loss_change = row.LossChange,
            signals = row.Signals,
            confidence = row.Confidence,
        }),
    };

    private static void Print(CliContext context, StageAnalysisResult r)
    {
        var table = new Table().AddColumns("stage", "steps", "loss change", "llc trend", "llc change", "boundary signals", "confidence");
        foreach (var row in r.Rows)
            table.AddRow(row.Stage.ToString(CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{row.StartStep}–{row.EndStep}"),
                F(row.LossChange), row.LlcTrend is { } t ? StoreEnums.Format(t) : "", F(row.LlcChange),
                Markup.Escape(string.Join(", ", row.Signals)), row.Confidence is { } c ? c.ToString("F2", CultureInfo.InvariantCulture) : "");
        context.OutConsole.Write(table);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Rows.Count} stages over {r.Steps.Count} checkpoints (steps {r.Steps[0]}..{r.Steps[^1]}) from {r.Signals.Count} signals"));
        foreach (var s in r.Signals)
            context.Out.WriteLine($"  {s.Name} ({s.Source}): boundaries at {(s.Boundaries.Steps.Count == 0 ? "none" : string.Join(", ", s.Boundaries.Steps))}");
        foreach (string note in r.Notes) context.Out.WriteLine($"  note: {note}");
    }

    private static string F(double? v) => v is { } x ? x.ToString("G4", CultureInfo.InvariantCulture) : "";
}
