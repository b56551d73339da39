using System.Globalization;
using DevInterp.Analysis;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Cluster;

/// <summary>
/// A run's analysis as Slurm jobs: a job array whose task i runs <c>devinterp analyze --shard i/n</c>, and a merge job
/// that starts when every task has succeeded (<c>--dependency=afterok</c>). Where things stand comes from the analysis
/// store (which checkpoints have their LLC) and from Slurm (which jobs are queued, running or ended how); resubmitting
/// queues only the shards that did not finish, and each resumes from the checkpoints it finished. Slurm does the
/// scheduling: nothing here queues or runs work itself.
/// </summary>
public sealed class SlurmAnalysis(SlurmClient slurm)
{
    private static readonly AnalysisSection[] Sections = [AnalysisSection.Llc, AnalysisSection.Similarity, AnalysisSection.Dynamics, AnalysisSection.Stages];

    /// <summary>
    /// Records <paramref name="config"/> as the folder's analysis.json (or checks that the folder holds this analysis),
    /// writes the two scripts and, unless <paramref name="dryRun"/>, submits the array and the merge.
    /// </summary>
    /// <exception cref="ArgumentException">Bad shard count or resources, or an analysis without LLC.</exception>
    /// <exception cref="RunFormatException">The folder holds another analysis.</exception>
    /// <exception cref="SlurmException">Jobs of an earlier submission are still queued, or sbatch failed.</exception>
    public SlurmSubmitResult Submit(SlurmJobSpec spec, AnalysisConfig config, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(config);
        if (!config.Llc.Enabled)
            throw new ArgumentException("the config switches the LLC off (llc.enabled: false): there is no per-checkpoint work to share out; run 'devinterp analyze' instead");
        int checkpoints = config.Run.Checkpoints.Count;
        if (spec.Shards < 1 || spec.Shards > checkpoints)
            throw new ArgumentException($"--shards {spec.Shards} must be between 1 and the run's {checkpoints} checkpoints");
        string shardsScript = SlurmScripts.Shards(spec), mergeScript = SlurmScripts.Merge(spec); // validates before anything is written
        if (!dryRun && SlurmSubmission.Exists(spec.Analysis))
        {
            var active = ActiveJobs(SlurmSubmission.Load(spec.Analysis));
            if (active.Count > 0)
                throw new SlurmException($"{spec.Analysis}: jobs of an earlier submission are still queued or running ({string.Join(", ", active)}); " +
                    $"see 'devinterp slurm status {spec.Analysis}', or scancel them first");
        }
        AnalysisFolder.Open(spec.Analysis, config, Sections);
        Directory.CreateDirectory(SlurmPaths.Logs(spec.Analysis));
        AtomicFile.WriteAllText(SlurmPaths.ShardsScript(spec.Analysis), shardsScript);
        AtomicFile.WriteAllText(SlurmPaths.MergeScript(spec.Analysis), mergeScript);
        var shards = Enumerable.Range(0, spec.Shards).ToList();
        return Queue(spec.Analysis, shards, [], dryRun, "submit", spec.Shards, spec.Devinterp);
    }

    /// <summary>Where the analysis in <paramref name="analysis"/> stands, from its store and from Slurm.</summary>
    /// <exception cref="RunFormatException">The folder was not submitted with <c>slurm submit</c>.</exception>
    public SlurmAnalysisStatus Status(string analysis)
    {
        var submission = SlurmSubmission.Load(analysis);
        string configPath = Path.Combine(analysis, AnalysisConfig.FileName);
        if (!File.Exists(configPath)) throw new RunFormatException(analysis, $"no {AnalysisConfig.FileName}: not an analysis folder");
        var steps = AnalysisConfig.Load(configPath).Run.Checkpoints.Select(c => c.Step).Order().ToList();
        var store = AnalysisStore.Open(analysis);
        var (finished, failedSteps) = LlcCompletion.Steps(store);

        var ids = Enumerable.Range(0, submission.ShardCount).Select(i => submission.LatestFor(i)?.TaskId).OfType<string>().ToList();
        string? mergeJob = submission.Rounds.LastOrDefault()?.MergeJob is { Length: > 0 } latest ? latest : null;
        var (jobs, problem) = Ask(ids.Concat(mergeJob is null ? [] : [mergeJob]));

        var shards = new List<ShardStatus>();
        for (int i = 0; i < submission.ShardCount; i++)
        {
            var shard = new Shard(i, submission.ShardCount);
            var mine = steps.Where((_, index) => shard.Includes(index)).ToList();
            int done = mine.Count(finished.Contains);
            string? taskId = submission.LatestFor(i)?.TaskId;
            var job = taskId is not null && jobs.TryGetValue(taskId, out var j) ? j : null;
            var state = done == mine.Count ? ShardState.Finished
                : job is { IsRunning: true } ? ShardState.Running
                : job is { IsPending: true } ? ShardState.Pending
                : job is not null ? ShardState.Failed // ended, checkpoints left: FAILED, CANCELLED, TIMEOUT, ... (or COMPLETED with parts removed)
                : ShardState.Unfinished;
            shards.Add(new ShardStatus(i, mine.Count, done, taskId, job, state));
        }

        var mergeState = mergeJob is not null && jobs.TryGetValue(mergeJob, out var m) ? m : null;
        bool complete = finished.Count == steps.Count && store.State(LlcRow.Schema.Name) == TableState.Consolidated &&
            File.Exists(Path.Combine(analysis, "report.html"));
        var merge = complete && mergeState is not { IsActive: true } ? MergeState.Complete
            : mergeState is { IsBlocked: true } ? MergeState.Blocked
            : mergeState is { IsPending: true } ? MergeState.Waiting
            : mergeState is { IsRunning: true } ? MergeState.Running
            : mergeState is not null ? MergeState.Failed
            : MergeState.NotRunning;
        return new SlurmAnalysisStatus(Path.GetFullPath(analysis), submission.ShardCount, steps.Count, finished.Count, failedSteps.Count,
            shards, mergeJob, mergeState, merge, problem);
    }

    /// <summary>
    /// Queues a new array of the shards that did not finish (failed, cancelled, timed out, or lost) and a merge that waits
    /// for them and for any shard still queued or running; a merge left waiting on a failed shard is cancelled first.
    /// Finished shards are not rerun, and a resubmitted shard skips the checkpoints it already finished.
    /// </summary>
    /// <exception cref="SlurmException">Slurm cannot be asked (then it is unknown what still runs), or sbatch failed.</exception>
    public SlurmSubmitResult Resubmit(string analysis, bool dryRun)
    {
        var submission = SlurmSubmission.Load(analysis);
        var status = Status(analysis);
        if (status.SlurmProblem is not null)
            throw new SlurmException($"cannot tell which shards still run ({status.SlurmProblem}); run this where Slurm answers");
        string folder = submission.Analysis;
        SlurmSubmitResult Nothing(string why) => new(folder, SlurmPaths.ShardsScript(folder), SlurmPaths.MergeScript(folder), [], null, null, [], [], dryRun, why);
        if (status.Merge == MergeState.Complete) return Nothing("the analysis is complete: nothing to resubmit");
        if (status.Merge == MergeState.Running) return Nothing($"the merge job {status.MergeJobId} is running: nothing to resubmit");
        var toRun = status.ToResubmit;
        if (toRun.Count == 0 && status.Merge == MergeState.Waiting)
            return Nothing("every unfinished shard is queued or running and the merge waits for them: nothing to resubmit");
        // A merge still pending waits on the old array, which can no longer succeed as a whole: it is replaced.
        var cancel = status.MergeJob is { IsPending: true } ? new List<string> { status.MergeJobId! } : [];
        var stillActive = status.Shards.Where(s => s.State is ShardState.Running or ShardState.Pending).Select(s => s.JobId!).ToList();
        return Queue(folder, toRun, stillActive, dryRun, "resubmit", submission.ShardCount, submission.Devinterp, cancel);
    }

    private SlurmSubmitResult Queue(string analysis, IReadOnlyList<int> shards, IReadOnlyList<string> alsoWaitFor, bool dryRun,
        string kind, int shardCount, IReadOnlyList<string> devinterp, IReadOnlyList<string>? cancel = null)
    {
        cancel ??= [];
        string shardsScript = SlurmPaths.ShardsScript(analysis), mergeScript = SlurmPaths.MergeScript(analysis);
        foreach (string script in new[] { shardsScript, mergeScript })
            if (!File.Exists(script)) throw new RunFormatException(script, "missing: run 'devinterp slurm submit' again to write it");
        var commands = cancel.Select(id => $"scancel {id}").ToList();
        var shardArgs = shards.Count == 0 ? null : new List<string> { "--array=" + ArraySpec(shards), shardsScript };
        if (shardArgs is not null) commands.Add(dryRun ? $"array=$(sbatch --parsable {ShellWords.Join(shardArgs)})" : $"sbatch --parsable {ShellWords.Join(shardArgs)}");
        if (dryRun)
        {
            var waits = (shardArgs is null ? [] : new[] { "$array" }).Concat(alsoWaitFor).ToList();
            commands.Add($"sbatch --parsable {(waits.Count > 0 ? "--dependency=afterok:" + string.Join(':', waits) + " " : "")}{ShellWords.Quote(mergeScript)}");
            return new SlurmSubmitResult(analysis, shardsScript, mergeScript, shards, null, null, commands, cancel, true, null);
        }

        foreach (string id in cancel) slurm.Cancel(id);
        string? arrayJob = shardArgs is null ? null : slurm.Submit(shardArgs);
        var dependsOn = (arrayJob is null ? [] : new[] { arrayJob }).Concat(alsoWaitFor).ToList();
        var mergeArgs = new List<string>();
        if (dependsOn.Count > 0) mergeArgs.Add("--dependency=afterok:" + string.Join(':', dependsOn));
        mergeArgs.Add(mergeScript);
        commands.Add($"sbatch --parsable {ShellWords.Join(mergeArgs)}");
        string mergeJob;
        try
        {
            mergeJob = slurm.Submit(mergeArgs);
        }
        catch (SlurmException e) when (arrayJob is not null)
        {
            // The shards run and their work is kept; only the merge must be queued again.
            Record(analysis, shardCount, devinterp, new SlurmRound(DateTimeOffset.UtcNow, kind, arrayJob, shards, "", cancel));
            throw new SlurmException($"{e.Message} (the shards are queued as job {arrayJob}; queue the merge with: sbatch --dependency=afterok:{arrayJob} {ShellWords.Quote(mergeScript)})");
        }
        Record(analysis, shardCount, devinterp, new SlurmRound(DateTimeOffset.UtcNow, kind, arrayJob, shards, mergeJob, cancel));
        return new SlurmSubmitResult(analysis, shardsScript, mergeScript, shards, arrayJob, mergeJob, commands, cancel, false, null);
    }

    // A submit starts a new record (its shard count may differ; the earlier jobs have all ended), a resubmit appends.
    private static void Record(string analysis, int shardCount, IReadOnlyList<string> devinterp, SlurmRound round)
    {
        var earlier = round.Kind == "resubmit" && SlurmSubmission.Exists(analysis) ? SlurmSubmission.Load(analysis).Rounds : [];
        new SlurmSubmission(Path.GetFullPath(analysis), shardCount, devinterp, [.. earlier, round]).Save();
    }

    /// <summary>Slurm's states of the jobs: squeue first (it knows what is queued and running), sacct for what squeue forgot.</summary>
    private (IReadOnlyDictionary<string, SlurmJobState> Jobs, string? Problem) Ask(IEnumerable<string> ids)
    {
        var wanted = ids.ToList();
        // squeue is asked per job (array or merge), and answers for every task of an array.
        var jobIds = wanted.Select(id => id.Split('_')[0]).Distinct().ToList();
        var queue = slurm.Queue(jobIds);
        if (!queue.Answered) return (queue.Jobs, queue.Problem);
        var jobs = new Dictionary<string, SlurmJobState>(queue.Jobs);
        var missing = wanted.Where(id => !jobs.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            var accounting = slurm.Accounting(missing.Select(id => id.Split('_')[0]).Distinct());
            foreach (var (id, state) in accounting.Jobs)
                if (!jobs.ContainsKey(id)) jobs[id] = state;
        }
        return (jobs, null);
    }

    private List<string> ActiveJobs(SlurmSubmission submission)
    {
        var ids = submission.Rounds.SelectMany(r => (r.ShardsJob is null ? [] : new[] { r.ShardsJob }).Append(r.MergeJob))
            .Where(id => id.Length > 0).Distinct().ToList();
        var answer = slurm.Queue(ids);
        if (!answer.Answered) throw new SlurmException($"cannot tell whether the earlier submission's jobs still run ({answer.Problem})");
        return answer.Jobs.Values.Where(j => j.IsActive).Select(j => j.JobId).ToList();
    }

    /// <summary>sbatch's --array value: <c>0-3</c> for a contiguous range, else <c>1,3,7</c>.</summary>
    public static string ArraySpec(IReadOnlyList<int> shards) =>
        shards.Count > 1 && shards[^1] - shards[0] == shards.Count - 1
            ? $"{shards[0].ToString(CultureInfo.InvariantCulture)}-{shards[^1].ToString(CultureInfo.InvariantCulture)}"
            : string.Join(',', shards.Select(s => s.ToString(CultureInfo.InvariantCulture)));
}
