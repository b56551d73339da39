using System.CommandLine;
using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Cluster;
using Spectre.Console;

namespace DevInterp.Cli.Commands;

/// <summary>
/// <c>devinterp slurm submit|status|resubmit</c>: a run's analysis as a Slurm job array plus a merge job (the work is
/// in <see cref="SlurmAnalysis"/>; this formats its results).
/// </summary>
public static class SlurmCommand
{
    /// <summary>Builds <c>slurm</c> and its subcommands.</summary>
    public static Command Build(CliContext context) => Build(context, new SlurmClient(new SystemProcessRunner()));

    /// <summary>Builds the commands over a given Slurm client (tests pass one with a scripted process runner).</summary>
    public static Command Build(CliContext context, SlurmClient client)
    {
        var command = new Command("slurm",
            "Run an analysis on a Slurm cluster: a job array of LLC shards plus a merge job, their state, and resubmission " +
            "of what did not finish (docs/cluster.md).");
        command.Subcommands.Add(BuildSubmit(context, client));
        command.Subcommands.Add(BuildStatus(context, client));
        command.Subcommands.Add(BuildResubmit(context, client));
        return command;
    }

    private static Command BuildSubmit(CliContext context, SlurmClient client)
    {
        var run = PathArgument.Create("run", "The run directory (checkpoints ordered by step)");
        var inputs = new RunInputs();
        var config = new Option<string?>("--config") { Description = "An analysis.json giving model, task, dtype and every setting (as for 'analyze')" };
        var shards = new Option<int>("--shards") { Description = "Number of array tasks; task i runs 'devinterp analyze --shard i/N'", Required = true };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (sbatch --partition)" };
        var time = new Option<string?>("--time") { Description = "Time limit per job (sbatch --time): minutes, HH:MM:SS or D-HH:MM:SS" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "CPUs per job, also torch's threads [1]", DefaultValueFactory = _ => 1 };
        var mem = new Option<string?>("--mem") { Description = "Memory per job (sbatch --mem), e.g. 8G" };
        var account = new Option<string?>("--account") { Description = "Account to charge (sbatch --account)" };
        var sbatchArgs = new Option<string[]>("--sbatch-arg") { Description = "Another sbatch option for every job, one word (repeatable), e.g. --sbatch-arg=--qos=long", AllowMultipleArgumentsPerToken = false };
        var devinterp = new Option<string?>("--devinterp") { Description = "The devinterp the jobs run (a path every node sees); default: this devinterp" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Write the scripts and print the sbatch commands without submitting" };
        var command = new Command("submit",
            "Share a run's analysis out over a Slurm cluster: records <out>/analysis.json, writes <out>/slurm/shards.sbatch " +
            "(a job array whose task i runs 'devinterp analyze --shard i/N') and merge.sbatch ('devinterp merge'), submits " +
            "the array and the merge with --dependency=afterok on it, and prints the job ids.");
        command.Arguments.Add(run);
        inputs.AddTo(command);
        foreach (Option o in new Option[] { config, shards, partition, time, cpus, mem, account, sbatchArgs, devinterp, dryRun }) command.Options.Add(o);
        command.WithExamples(
            "devinterp slurm submit checkpoints/dln --out analyses/dln --shards 8 --time 1:00:00 --mem 4G",
            "devinterp slurm submit checkpoints/tms --out analyses/tms --shards 4 --partition cpu --account lab --dry-run",
            "devinterp slurm submit my-run --model mlp.json --task task.json --out analyses/mine --shards 16 --config quick.json --sbatch-arg=--qos=short");
        command.SetGuardedAction(context, parse =>
        {
            string runPath = parse.GetValue(run)!;
            var file = parse.GetValue(config) is { } path ? AnalysisConfigFile.Load(path) : null;
            var (r, cfg) = inputs.Resolve(parse, runPath, context, file);
            if (file is not null) AnalyzeCommand.WarnIfRecordedOnAnotherRun(context, file, cfg);
            var passOn = new List<string>();
            foreach (var (option, isPath) in new[] { (inputs.Model, true), (inputs.Task, true), (inputs.NameMap, true), (inputs.Key, false) })
                if (parse.GetValue(option) is { } value) passOn.AddRange([option.Name, isPath ? Path.GetFullPath(value) : value]);
            var spec = new SlurmJobSpec(Path.GetFullPath(parse.GetValue(inputs.Out)!), Path.GetFullPath(r.Directory), parse.GetValue(shards),
                DevinterpLauncher.Resolve(parse.GetValue(devinterp)), passOn, Directory.GetCurrentDirectory(),
                new SlurmResources(parse.GetValue(partition), parse.GetValue(time), parse.GetValue(cpus), parse.GetValue(mem),
                    parse.GetValue(account), parse.GetValue(sbatchArgs) ?? []));
            var result = new SlurmAnalysis(client).Submit(spec, cfg, parse.GetValue(dryRun));
            return Report(context, result, parse.GetValue(inputs.Json));
        });
        return command;
    }

    private static Command BuildStatus(CliContext context, SlurmClient client)
    {
        var analysis = PathArgument.Create("analysis", "The analysis folder submitted with 'devinterp slurm submit'");
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var command = new Command("status",
            "Which shards of a submitted analysis finished, run, wait or failed, and the merge's state: from the analysis " +
            "store (checkpoints with an LLC) and from squeue and sacct where they answer.")
        { analysis, json };
        command.WithExamples("devinterp slurm status analyses/dln", "devinterp slurm status analyses/dln --json");
        command.SetGuardedAction(context, parse =>
        {
            var status = new SlurmAnalysis(client).Status(parse.GetValue(analysis)!);
            if (parse.GetValue(json)) JsonOutput.Write(context.Out, ToJson(status));
            else Print(context, status, parse.GetValue(analysis)!);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildResubmit(CliContext context, SlurmClient client)
    {
        var analysis = PathArgument.Create("analysis", "The analysis folder submitted with 'devinterp slurm submit'");
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be cancelled and submitted without doing it" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var command = new Command("resubmit",
            "Submit again only the shards that did not finish (failed, cancelled, timed out or lost), each resuming from the " +
            "checkpoints it finished, and a merge that waits for them; a merge left waiting on a failed shard is cancelled. " +
            "Uses the scripts in <analysis>/slurm/, so edits made to them are kept.")
        { analysis, dryRun, json };
        command.WithExamples("devinterp slurm resubmit analyses/dln", "devinterp slurm resubmit analyses/dln --dry-run");
        command.SetGuardedAction(context, parse =>
            Report(context, new SlurmAnalysis(client).Resubmit(parse.GetValue(analysis)!, parse.GetValue(dryRun)), parse.GetValue(json)));
        return command;
    }

    private static int Report(CliContext context, SlurmSubmitResult r, bool json)
    {
        if (json)
        {
            JsonOutput.Write(context.Out, new
            {
                analysis = r.Analysis, shards_script = r.ShardsScript, merge_script = r.MergeScript, shards = r.Shards,
                shards_job = r.ShardsJob, merge_job = r.MergeJob, cancelled_jobs = r.CancelledJobs, commands = r.Commands,
                dry_run = r.DryRun, note = r.Note,
            });
            return ExitCodes.Success;
        }
        if (r.Note is not null)
        {
            context.Out.WriteLine(r.Note);
            return ExitCodes.Success;
        }
        context.Out.WriteLine($"scripts: {r.ShardsScript}, {Path.GetFileName(r.MergeScript)}");
        if (r.DryRun)
        {
            context.Out.WriteLine("dry run, nothing submitted; to submit:");
            foreach (string c in r.Commands) context.Out.WriteLine("  " + c);
            return ExitCodes.Success;
        }
        foreach (string id in r.CancelledJobs) context.Out.WriteLine($"cancelled job {id} (a merge waiting on a shard that failed)");
        if (r.ShardsJob is not null)
            context.Out.WriteLine($"shards: job {r.ShardsJob} (array {SlurmAnalysis.ArraySpec(r.Shards)})");
        context.Out.WriteLine($"merge: job {r.MergeJob}{(r.ShardsJob is not null ? $" (starts when job {r.ShardsJob} succeeds)" : "")}");
        context.Out.WriteLine($"logs: {SlurmPaths.Logs(r.Analysis)}");
        context.Out.WriteLine($"follow with: devinterp slurm status {r.Analysis}");
        return ExitCodes.Success;
    }

    private static void Print(CliContext context, SlurmAnalysisStatus s, string folder)
    {
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{s.Analysis}: {s.Done} of {s.Checkpoints} checkpoints have their LLC{(s.FailedCheckpoints > 0 ? $" ({s.FailedCheckpoints} recorded as failed)" : "")}; {s.ShardCount} shard(s)"));
        if (s.SlurmProblem is not null) context.Out.WriteLine($"slurm did not answer ({s.SlurmProblem}): states from the analysis store only");
        var table = new Table().AddColumns("shard", "checkpoints", "done", "job", "slurm", "state");
        foreach (var shard in s.Shards)
            table.AddRow($"{shard.Shard}/{s.ShardCount}", shard.Checkpoints.ToString(CultureInfo.InvariantCulture), shard.Done.ToString(CultureInfo.InvariantCulture),
                shard.JobId ?? "–", Markup.Escape(shard.Job?.ToString() ?? "–"), Name(shard.State));
        table.AddRow("merge", "", "", s.MergeJobId ?? "–", Markup.Escape(s.MergeJob?.ToString() ?? "–"), Name(s.Merge));
        context.OutConsole.Write(table);
        if (s.Merge == MergeState.Complete) context.Out.WriteLine($"complete: {Path.Combine(s.Analysis, "report.html")}");
        else if (s.NeedsResubmit) context.Out.WriteLine($"next: devinterp slurm resubmit {folder}");
    }

    private static object ToJson(SlurmAnalysisStatus s) => new
    {
        analysis = s.Analysis,
        shard_count = s.ShardCount,
        checkpoints = s.Checkpoints,
        done = s.Done,
        failed_checkpoints = s.FailedCheckpoints,
        shards = s.Shards.Select(x => new { shard = x.Shard, checkpoints = x.Checkpoints, done = x.Done, job = x.JobId, slurm_state = x.Job?.State, slurm_reason = x.Job?.Reason, state = Name(x.State) }),
        merge = new { job = s.MergeJobId, slurm_state = s.MergeJob?.State, slurm_reason = s.MergeJob?.Reason, state = Name(s.Merge) },
        slurm_problem = s.SlurmProblem,
        needs_resubmit = s.NeedsResubmit,
    };

    private static string Name(ShardState state) => state.ToString().ToLowerInvariant();

    private static string Name(MergeState state) => state == MergeState.NotRunning ? "not running" : state.ToString().ToLowerInvariant();
}
