using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DevInterp.Cluster;

/// <summary>
/// The two batch scripts of a sharded analysis, as text: <c>shards.sbatch</c> (a job array, task i running
/// <c>devinterp analyze --shard i/n --no-merge</c>) and <c>merge.sbatch</c> (<c>devinterp merge</c>). They are meant to be
/// read and resubmitted by hand, so they say in comments what they do and how to submit them.
/// </summary>
public static partial class SlurmScripts
{
    /// <summary>Exit code of <c>analyze</c> when some checkpoints failed and were recorded (the rest completed).</summary>
    public const int PartialFailureExitCode = 3;

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex NameUnsafe();

    /// <summary>The job name prefix: <c>devinterp-NAME</c> for analyses/NAME.</summary>
    public static string JobName(string analysis) =>
        "devinterp-" + NameUnsafe().Replace(Path.GetFileName(Path.GetFullPath(analysis).TrimEnd('/')), "_");

    /// <summary>The array job's script.</summary>
    public static string Shards(SlurmJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string n = spec.Shards.ToString(CultureInfo.InvariantCulture);
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine("# DevInterp on Slurm: the LLC of one run's checkpoints, shared out as a job array.");
        s.AppendLine("# Written by `devinterp slurm submit`; docs/cluster.md explains every line.");
        s.AppendLine("#");
        s.AppendLine($"#   analysis  {spec.Analysis}");
        s.AppendLine($"#   run       {spec.Run}");
        s.AppendLine($"#   shards    {n}: array task i estimates the LLC of checkpoints i, i+{n}, i+{2 * spec.Shards}, ... (in step order)");
        s.AppendLine("#");
        s.AppendLine("# Every task reads the settings from the analysis folder's analysis.json (recorded at submission) and writes");
        s.AppendLine($"# only its own part files, parts/TABLE/KEY@shardIof{n}.arrow, so two tasks never write the same file. A task");
        s.AppendLine("# that is cancelled, times out or fails loses at most the checkpoint it was on: run it again and it skips the");
        s.AppendLine("# checkpoints it finished. merge.sbatch completes the analysis once every task has succeeded.");
        s.AppendLine("#");
        s.AppendLine("# Submit by hand (from any directory):");
        s.AppendLine($"#   sbatch {ShellWords.Quote(SlurmPaths.ShardsScript(spec.Analysis))}                 # all shards");
        s.AppendLine($"#   sbatch --array=1,3 {ShellWords.Quote(SlurmPaths.ShardsScript(spec.Analysis))}     # only shards 1 and 3");
        s.AppendLine($"#   sbatch --dependency=afterok:JOBID {ShellWords.Quote(SlurmPaths.MergeScript(spec.Analysis))}   # JOBID: the id sbatch printed");
        s.AppendLine($"# or let devinterp find what is unfinished: devinterp slurm resubmit {ShellWords.Quote(spec.Analysis)}");
        s.AppendLine("#");
        Directives(s, spec, JobName(spec.Analysis) + "-shards", Path.Combine(SlurmPaths.Logs(spec.Analysis), "shard-%A_%a.out"),
            $"--array=0-{(spec.Shards - 1).ToString(CultureInfo.InvariantCulture)}");
        Preamble(s, spec);
        s.AppendLine($"RUN={ShellWords.Quote(spec.Run)}");
        s.AppendLine($"SHARDS={n}");
        s.AppendLine();
        s.AppendLine(": \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: each array task is one shard}\"");
        s.AppendLine("echo \"devinterp: shard ${SLURM_ARRAY_TASK_ID}/${SHARDS} of ${ANALYSIS}, job ${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID} on $(hostname), $(date -Is)\"");
        s.AppendLine("\"${DEVINTERP[@]}\" --version");
        s.AppendLine();
        s.AppendLine("# --config: the analysis.json recorded at submission, so every task runs with the same settings and seeds.");
        s.AppendLine("# --no-merge: write this shard's parts only, even when it is the last to finish (merge.sbatch completes the analysis).");
        s.AppendLine("status=0");
        s.Append("\"${DEVINTERP[@]}\" analyze \"$RUN\" --out \"$ANALYSIS\" --config \"$ANALYSIS/analysis.json\"");
        if (spec.RunArguments.Count > 0) s.Append(' ').Append(ShellWords.Join(spec.RunArguments));
        s.AppendLine(" \\");
        s.AppendLine("  --shard \"${SLURM_ARRAY_TASK_ID}/${SHARDS}\" --no-merge --no-report || status=$?");
        s.AppendLine();
        s.AppendLine($"# Exit code {PartialFailureExitCode}: some checkpoints could not be analysed (an unreadable file). Each is recorded in the");
        s.AppendLine("# store with its error and named by the merge; rerunning would fail the same way, so the task counts as done.");
        s.AppendLine($"if [ \"$status\" -eq {PartialFailureExitCode} ]; then status=0; fi");
        s.AppendLine("exit \"$status\"");
        return s.ToString();
    }

    /// <summary>The merge job's script.</summary>
    public static string Merge(SlurmJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine("# DevInterp on Slurm: completes a sharded analysis once every shard is done.");
        s.AppendLine("# Written by `devinterp slurm submit`; docs/cluster.md explains every line.");
        s.AppendLine("#");
        s.AppendLine($"#   analysis  {spec.Analysis}");
        s.AppendLine("#");
        s.AppendLine("# `devinterp merge` reads the folder's analysis.json (the shards' settings), combines the shards' part files into");
        s.AppendLine("# one table each, estimates any checkpoint no shard finished, then computes similarity, essential dynamics,");
        s.AppendLine("# the stage table and report.html. It is the only job that writes the consolidated tables.");
        s.AppendLine("#");
        s.AppendLine("# `devinterp slurm submit` queues it with --dependency=afterok:<the shards' job>, so it starts when every shard");
        s.AppendLine("# has succeeded. By hand:");
        s.AppendLine($"#   sbatch --dependency=afterok:JOBID {ShellWords.Quote(SlurmPaths.MergeScript(spec.Analysis))}");
        s.AppendLine($"#   sbatch {ShellWords.Quote(SlurmPaths.MergeScript(spec.Analysis))}                       # now, whatever the shards' state");
        s.AppendLine("#");
        Directives(s, spec, JobName(spec.Analysis) + "-merge", Path.Combine(SlurmPaths.Logs(spec.Analysis), "merge-%j.out"), null);
        Preamble(s, spec);
        s.AppendLine();
        s.AppendLine("echo \"devinterp: merge of ${ANALYSIS}, job ${SLURM_JOB_ID:-?} on $(hostname), $(date -Is)\"");
        s.AppendLine("\"${DEVINTERP[@]}\" --version");
        s.AppendLine("exec \"${DEVINTERP[@]}\" merge \"$ANALYSIS\"");
        return s.ToString();
    }

    private static void Directives(StringBuilder s, SlurmJobSpec spec, string name, string output, string? array)
    {
        s.AppendLine($"#SBATCH --job-name={name}");
        if (array is not null) s.AppendLine($"#SBATCH {array}");
        s.AppendLine($"#SBATCH --output={Directive(output)}");
        s.AppendLine($"#SBATCH --chdir={Directive(spec.WorkingDirectory)}");
        foreach (string d in spec.Resources.Directives()) s.AppendLine($"#SBATCH {d}");
    }

    private static void Preamble(StringBuilder s, SlurmJobSpec spec)
    {
        s.AppendLine();
        s.AppendLine("set -euo pipefail");
        s.AppendLine();
        s.AppendLine("# The devinterp every job runs, shards and merge alike: a path every node sees (docs/cluster.md).");
        s.AppendLine($"DEVINTERP=({ShellWords.Join(spec.Devinterp)})");
        s.AppendLine($"ANALYSIS={ShellWords.Quote(spec.Analysis)}");
        s.AppendLine("# torch's threads: the CPUs Slurm gave this job, not every core of a shared node.");
        s.AppendLine("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"");
    }

    // sbatch reads #SBATCH lines itself (no shell): a value with a space or quote cannot be written there safely.
    private static string Directive(string path) =>
        path.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '#')
            ? throw new ArgumentException($"'{path}': a Slurm #SBATCH line cannot hold a path with spaces, quotes or '#'; use a folder without them")
            : path;
}
