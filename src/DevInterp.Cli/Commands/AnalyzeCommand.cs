using System.CommandLine;
using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Runs;
using DevInterp.Storage;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary>
/// <c>devinterp analyze</c>: the whole analysis of a run (LLC, similarity, essential dynamics, stages, report) into one
/// resumable analysis folder; <c>devinterp merge</c>: finishes a sharded analysis once every shard is done.
/// </summary>
public static class AnalyzeCommand
{
    /// <summary>Builds <c>analyze</c>.</summary>
    public static Command Build(CliContext context)
    {
        var run = PathArgument.Create("run", "The run directory (checkpoints ordered by step)");
        var inputs = new RunInputs();
        var config = new Option<string?>("--config") { Description = "An analysis.json (e.g. from an earlier analysis) giving model, task, dtype and every setting; the numbers it recorded are reproduced" };
        var shard = new Option<string?>("--shard") { Description = "i/n (0-based): estimate the LLC of every n-th checkpoint only, so n processes or machines share a run; the last shard to finish (or 'devinterp merge') completes the analysis" };
        var noReport = new Option<bool>("--no-report") { Description = "Do not write report.html" };
        var command = new Command("analyze",
            "Run the whole analysis of a run: the LLC of every checkpoint (with diagnostics), representation similarity " +
            "across steps, essential dynamics, the stage table, and the HTML report. Everything that determines the " +
            "results is recorded in <out>/analysis.json; results are written per checkpoint as they finish (atomic " +
            "files), so an interrupted run resumes where it stopped when the same command is run again. Exit code 3 when " +
            "some checkpoints failed (recorded with their error; the rest is analysed).");
        command.Arguments.Add(run);
        inputs.AddTo(command);
        command.Options.Add(config);
        command.Options.Add(shard);
        command.Options.Add(noReport);
        command.WithExamples(
            "devinterp analyze checkpoints/dln --out analyses/dln",
            "devinterp analyze checkpoints/tms --out analyses/tms-again --config analyses/tms/analysis.json",
            "devinterp analyze my-run --model mlp.json --task task.json --name-map names.json --out analyses/mine",
            "devinterp analyze checkpoints/dln --out analyses/dln --shard 0/2   # and --shard 1/2 elsewhere; then: devinterp merge analyses/dln");
        command.SetGuardedAction(context, parse =>
        {
            var shardSpec = parse.GetValue(shard) is { } s ? Shard.Parse(s) : Shard.All;
            using var writer = inputs.Lock(parse, context, parse.GetValue(run)!, shared: shardSpec.Count > 1);
            string? file = parse.GetValue(config);
            // The settings --config gives are validated with the rest, before any checkpoint is hashed or read.
            var (r, cfg) = inputs.Resolve(parse, parse.GetValue(run)!, context,
                fresh => file is not null && File.Exists(file) ? AnalysisConfig.Load(file) with { Name = fresh.Name, Run = fresh.Run } : fresh);
            if (file is not null) cfg = FromFile(file, cfg);
            return Execute(context, r, cfg, parse.GetValue(inputs.Out)!, shardSpec, !parse.GetValue(noReport),
                parse.GetValue(inputs.Quiet), parse.GetValue(inputs.Json));
        });
        return command;
    }

    /// <summary>Builds <c>merge</c>.</summary>
    public static Command BuildMerge(CliContext context)
    {
        var analysis = PathArgument.Create("analysis", "The analysis folder the shards wrote into (analyses/NAME)");
        var quiet = new Option<bool>("--quiet") { Description = "No progress display" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("merge",
            "Complete a sharded analysis: combine the shards' parts, estimate any checkpoint no shard finished, then " +
            "compute similarity, essential dynamics, stages and the report. Uses the folder's analysis.json, so the " +
            "settings are those the shards ran with.")
        { analysis, quiet, json };
        command.WithExamples("devinterp merge analyses/dln");
        command.SetGuardedAction(context, parse =>
        {
            string folder = parse.GetValue(analysis)!;
            string path = Path.Combine(folder, AnalysisConfig.FileName);
            if (!File.Exists(path)) throw new RunFormatException(folder, $"no {AnalysisConfig.FileName}: not an analysis folder (run 'devinterp analyze RUN --out {folder}' first)");
            using var writer = AnalysisLock.Acquire(folder);
            if (writer.TakenOverFrom is { } who) context.Warn($"{folder}: took over the writer lock of {who}");
            var cfg = AnalysisConfig.Load(path);
            cfg.Validate();
            var r = Run.Open(cfg.Run.Path, new RunOpenOptions(cfg.Run.Key));
            cfg = cfg with { Run = RunSource.Of(r, cfg.Run.Path, cfg.Run.Key) };
            return Execute(context, r, cfg, folder, Shard.All, true, parse.GetValue(quiet), parse.GetValue(json));
        });
        return command;
    }

    private static int Execute(CliContext context, Run run, AnalysisConfig config, string folder, Shard shard, bool report, bool quiet, bool json)
    {
        var reporter = new ProgressReporter(context, quiet);
        var started = DateTime.UtcNow;
        var result = reporter.Run("analyze", update => AnalysisPipeline.Run(config, run, folder, new AnalyzeOptions(shard, report),
            new SyncProgress<AnalysisProgress>(p => update(p.Done, p.Total, p.Step is { } st ? $"{p.Activity} · step {st}" : p.Activity))));
        var elapsed = DateTime.UtcNow - started;
        if (json) JsonOutput.Write(context.Out, ToJson(result, folder, elapsed));
        else Print(context, result, folder, shard, elapsed);
        return RunAnalysisReport.Failures(context, result.Failed, run.Checkpoints.Where((_, i) => shard.Includes(i)).Count());
    }

    /// <summary>Settings, model, task and dtype from an analysis.json; the run is the one given (its hashes must match).</summary>
    private static AnalysisConfig FromFile(string file, AnalysisConfig fresh)
    {
        if (!File.Exists(file)) throw new RunFormatException(file, "no such file (given to --config)");
        AnalysisConfig given;
        try
        {
            given = AnalysisConfig.Load(file);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RunFormatException(file, $"not a valid analysis.json: {e.Message}", e);
        }
        if (given.Run.Checkpoints.Count > 0)
        {
            var recorded = given.Run.Checkpoints.ToDictionary(c => c.Step, c => c.Sha256);
            var changed = fresh.Run.Checkpoints.Where(c => !recorded.TryGetValue(c.Step, out var h) || h != c.Sha256).Select(c => c.Step).ToList();
            if (changed.Count > 0 || recorded.Count != fresh.Run.Checkpoints.Count)
                throw new RunFormatException(file, $"records a different run: {changed.Count} checkpoint(s) differ (first at step {(changed.Count > 0 ? changed[0].ToString(CultureInfo.InvariantCulture) : "?")}) or the number of checkpoints changed; the numbers would not be reproduced");
        }
        return given with { Name = fresh.Name, Run = fresh.Run };
    }

    private static void Print(CliContext context, AnalyzeResult r, string folder, Shard shard, TimeSpan elapsed)
    {
        if (r.Llc is { } llc)
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"llc: {llc.Estimated.Count} estimated, {llc.AlreadyDone.Count} already done, {llc.Failed.Count} failed; step size ε = {llc.StepSize:G3} ({llc.StepSizeSource})"));
        if (!r.Complete)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shard {shard} done in {elapsed.TotalSeconds:F0} s; {r.MissingLlcSteps.Count} checkpoint(s) wait for other shards. When all are done: devinterp merge {folder}"));
            return;
        }
        if (r.Similarity is { } sim)
            context.Out.WriteLine($"similarity: {sim.Steps.Count} checkpoints, {sim.Layers.Count} layers, {sim.Measures.Count} measures");
        if (r.Dynamics is { } dyn)
            context.Out.WriteLine($"essential dynamics: {dyn.Steps.Count} checkpoints");
        if (r.Stages is { } stages)
        {
            var table = new Table().AddColumns("stage", "start step", "end step", "LLC trend", "boundary signals", "confidence");
            foreach (var row in stages.Rows)
                table.AddRow(row.Stage.ToString(CultureInfo.InvariantCulture), row.StartStep.ToString(CultureInfo.InvariantCulture),
                    row.EndStep.ToString(CultureInfo.InvariantCulture), row.LlcTrend?.ToString().ToLowerInvariant() ?? "–", Markup.Escape(string.Join(", ", row.Signals)), row.Confidence is { } c ? F(c) : "–");
            context.OutConsole.Write(table);
        }
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"analysis complete in {elapsed.TotalSeconds:F0} s: {Path.GetFullPath(folder)}{(r.ReportPath is { } p ? $"; report: {p}" : "")}"));
    }

    private static object ToJson(AnalyzeResult r, string folder, TimeSpan elapsed) => new
    {
        folder = Path.GetFullPath(folder),
        complete = r.Complete,
        seconds = elapsed.TotalSeconds,
        llc = r.Llc is { } l ? new { estimated = l.Estimated, already_done = l.AlreadyDone, step_size = l.StepSize, step_size_source = l.StepSizeSource } : null,
        missing_llc_steps = r.MissingLlcSteps,
        stages = r.Stages?.Rows.Select(s => new { stage = s.Stage, start_step = s.StartStep, end_step = s.EndStep, llc_trend = s.LlcTrend?.ToString().ToLowerInvariant(), llc_change = s.LlcChange, loss_change = s.LossChange, signals = s.Signals, confidence = s.Confidence }),
        report = r.ReportPath,
        failed = r.Failed.Select(f => new { step = f.Step, error = f.Error }),
    };

    private static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("G3", CultureInfo.InvariantCulture);
}
