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
        var run = PathArgument.Create("run", "The run directory (checkpoints ordered by step); may be left out when --config gives run.path");
        run.Arity = ArgumentArity.ZeroOrOne;
        var inputs = new RunInputs();
        var config = new Option<string?>("--config") { Description = "A config file (docs/config.md; an earlier analysis.json is one) giving any of model, task, name map, dtype and the llc, similarity, dynamics and stages settings; the options given on the command line win" };
        var shard = new Option<string?>("--shard") { Description = "i/n (0-based): estimate the LLC of every n-th checkpoint only, so n processes or machines share a run; the last shard to finish (or 'devinterp merge') completes the analysis" };
        var noReport = new Option<bool>("--no-report") { Description = "Do not write report.html" };
        var noMerge = new Option<bool>("--no-merge") { Description = "With --shard: write this shard's results only, even when it finishes last; 'devinterp merge' completes the analysis (what 'devinterp slurm' jobs do)" };
        var probe = new ProbeOptions();
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
        command.Options.Add(noMerge);
        probe.AddTo(command);
        var llcFlags = new LlcFlags();
        foreach (var o in llcFlags.All) command.Options.Add(o);
        command.WithExamples(
            "devinterp analyze checkpoints/grok --out analyses/grok",
            "devinterp analyze checkpoints/grok --out analyses/grok-g100 --localization 100 --chains 8",
            "devinterp analyze checkpoints/tms --out analyses/tms-again --config analyses/tms/analysis.json",
            "devinterp analyze my-run --model mlp.json --task task.json --name-map names.json --out analyses/mine",
            "devinterp analyze checkpoints/dln --out analyses/dln --shard 0/2   # and --shard 1/2 elsewhere; then: devinterp merge analyses/dln");
        command.SetGuardedAction(context, parse =>
        {
            var shardSpec = parse.GetValue(shard) is { } s ? Shard.Parse(s) : Shard.All;
            var file = parse.GetValue(config) is { } path ? AnalysisConfigFile.Load(path) : null;
            using var writer = inputs.Lock(parse, context, RunInputs.RunPathOf(parse.GetValue(run), file), shared: shardSpec.Count > 1);
            // Every setting (the file's, the options', the probe's) is validated before any checkpoint is hashed or read.
            // Sampler options given here override the config file's (and the defaults), one by one.
            var (r, cfg) = inputs.Resolve(parse, parse.GetValue(run), context, file, fresh =>
            {
                var c = probe.Given(parse) ? fresh with { Similarity = probe.Apply(parse, fresh.Similarity) } : fresh;
                return llcFlags.AnyGiven(parse) ? c with { Llc = llcFlags.Apply(parse, c.Llc) } : c;
            });
            if (file is not null) WarnIfRecordedOnAnotherRun(context, file, cfg);
            return Execute(context, r, cfg, parse.GetValue(inputs.Out)!, shardSpec, new AnalyzeOptions(shardSpec, !parse.GetValue(noReport), !parse.GetValue(noMerge)),
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
            return Execute(context, r, cfg, folder, Shard.All, new AnalyzeOptions(), parse.GetValue(quiet), parse.GetValue(json));
        });
        return command;
    }

    private static int Execute(CliContext context, Run run, AnalysisConfig config, string folder, Shard shard, AnalyzeOptions options, bool quiet, bool json)
    {
        var reporter = new ProgressReporter(context, quiet);
        var started = DateTime.UtcNow;
        var result = reporter.Run("analyze", update => AnalysisPipeline.Run(config, run, folder, options,
            new SyncProgress<AnalysisProgress>(p => update(p.Done, p.Total, p.Step is { } st ? $"{p.Activity} · step {st}" : p.Activity))));
        var elapsed = DateTime.UtcNow - started;
        // A --no-merge shard leaves the rest to 'merge' even when every checkpoint is estimated.
        bool complete = result.Complete && (options.Merge || shard.Count == 1);
        if (json) JsonOutput.Write(context.Out, ToJson(result, folder, elapsed, complete));
        else Print(context, result, folder, shard, elapsed, complete);
        return RunAnalysisReport.Failures(context, result.Failed, run.Checkpoints.Where((_, i) => shard.Includes(i)).Count());
    }

    /// <summary>
    /// A config is reusable across runs: the run's identity is checked only when resuming into the same folder
    /// (<see cref="AnalysisFolder.Open"/>). When the file records another run's checkpoints (an analysis.json of an earlier
    /// analysis), a warning says so, since its numbers will not be reproduced.
    /// </summary>
    internal static void WarnIfRecordedOnAnotherRun(CliContext context, AnalysisConfigFile file, AnalysisConfig config)
    {
        if (file.Checkpoints is not { Count: > 0 } recorded) return;
        var hashes = recorded.GroupBy(c => c.Step).ToDictionary(g => g.Key, g => g.First().Sha256);
        var now = config.Run.Checkpoints;
        int changed = now.Count(c => hashes.TryGetValue(c.Step, out var h) && h != c.Sha256);
        int added = now.Count(c => !hashes.ContainsKey(c.Step));
        int removed = hashes.Keys.Count(s => now.All(c => c.Step != s));
        if (changed + added + removed == 0) return;
        context.Warn(string.Create(CultureInfo.InvariantCulture,
            $"{file.Path} was recorded on other checkpoints ({changed} rewritten, {added} new, {removed} missing); its settings are used, its numbers will not be reproduced"));
    }

    private static void Print(CliContext context, AnalyzeResult r, string folder, Shard shard, TimeSpan elapsed, bool complete)
    {
        if (r.Llc is { } llc)
        {
            var s = llc.Setting;
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"llc: {llc.Estimated.Count} estimated, {llc.AlreadyDone.Count} already done, {llc.Failed.Count} failed; ε = {s.StepSize:G3}, γ = {s.Localization:G3}, {s.Chains} chains × {s.Draws}–{s.MaxDraws} draws after {s.BurnIn} burn-in ({s.Source})"));
            if (llc.Warning is { } warning) context.Warn(warning);
            var rows = DevInterp.Storage.AnalysisStore.Open(folder).Read<DevInterp.Storage.LlcRow>();
            if (rows.Count > 0)
                context.Out.WriteLine("llc readings: " + string.Join(", ", rows.GroupBy(x => x.Reading?.ToString() ?? "unknown")
                    .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {ReadingName(g.Key)}")));
        }
        if (!complete)
        {
            string waiting = r.MissingLlcSteps.Count > 0 ? $"{r.MissingLlcSteps.Count} checkpoint(s) wait for other shards" : "every checkpoint is estimated";
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shard {shard} done in {elapsed.TotalSeconds:F0} s; {waiting}. When all are done: devinterp merge {folder}"));
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

    private static string ReadingName(string reading) => reading switch
    {
        nameof(DevInterp.Llc.LlcReading.LocalMinimum) => "at a local minimum (estimates of λ)",
        nameof(DevInterp.Llc.LlcReading.Localized) => "away from a minimum (localized values, comparable within the run)",
        nameof(DevInterp.Llc.LlcReading.Untrusted) => "untrusted",
        _ => "without a reading",
    };

    private static object ToJson(AnalyzeResult r, string folder, TimeSpan elapsed, bool complete) => new
    {
        folder = Path.GetFullPath(folder),
        complete,
        seconds = elapsed.TotalSeconds,
        llc = r.Llc is { } l ? new { estimated = l.Estimated, already_done = l.AlreadyDone, step_size = l.StepSize, step_size_source = l.StepSizeSource } : null,
        missing_llc_steps = r.MissingLlcSteps,
        stages = r.Stages?.Rows.Select(s => new { stage = s.Stage, start_step = s.StartStep, end_step = s.EndStep, llc_trend = s.LlcTrend?.ToString().ToLowerInvariant(), llc_change = s.LlcChange, loss_change = s.LossChange, signals = s.Signals, confidence = s.Confidence }),
        report = r.ReportPath,
        failed = r.Failed.Select(f => new { step = f.Step, error = f.Error }),
    };

    private static string F(double v) => double.IsNaN(v) ? "–" : v.ToString("G3", CultureInfo.InvariantCulture);
}
