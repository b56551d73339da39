namespace DevInterp.Cluster;

/// <summary>Where one shard stands.</summary>
public enum ShardState
{
    /// <summary>Every checkpoint of the shard has its LLC (or a recorded failure).</summary>
    Finished,
    /// <summary>Its job is running.</summary>
    Running,
    /// <summary>Its job waits in the queue.</summary>
    Pending,
    /// <summary>Its job ended (failed, cancelled, timed out, out of memory, node failure) before the shard finished.</summary>
    Failed,
    /// <summary>Not finished and no job of it is queued or running (Slurm keeps no record of how it ended).</summary>
    Unfinished,
}

/// <summary>Where the merge stands.</summary>
public enum MergeState
{
    /// <summary>The analysis is complete: every checkpoint estimated, tables consolidated, report written.</summary>
    Complete,
    /// <summary>The merge job waits for the shards.</summary>
    Waiting,
    /// <summary>The merge job waits on a shard that failed: it will never start (resubmit replaces it).</summary>
    Blocked,
    /// <summary>The merge job is running.</summary>
    Running,
    /// <summary>The merge job ended without completing the analysis.</summary>
    Failed,
    /// <summary>No merge job is queued or running and the analysis is not complete.</summary>
    NotRunning,
}

/// <summary>One shard: its checkpoints, how many are done, its newest job and what Slurm says of it.</summary>
/// <param name="Shard">Index i of i/n.</param>
/// <param name="Checkpoints">Checkpoints assigned to it.</param>
/// <param name="Done">Of those, finished (an LLC estimate or a recorded failure).</param>
/// <param name="JobId">Its newest array task (<c>123_1</c>), or null.</param>
/// <param name="Job">Slurm's state of that task, or null when Slurm did not say.</param>
/// <param name="State">The shard's state.</param>
public sealed record ShardStatus(int Shard, int Checkpoints, int Done, string? JobId, SlurmJobState? Job, ShardState State);

/// <summary>Where a sharded analysis stands, from its store and from Slurm.</summary>
/// <param name="Analysis">The analysis folder.</param>
/// <param name="ShardCount">n.</param>
/// <param name="Checkpoints">Checkpoints of the run.</param>
/// <param name="Done">Checkpoints whose LLC is finished.</param>
/// <param name="FailedCheckpoints">Of those, checkpoints recorded as failed (unreadable files).</param>
/// <param name="Shards">Every shard.</param>
/// <param name="MergeJobId">The newest merge job.</param>
/// <param name="MergeJob">Slurm's state of it, or null.</param>
/// <param name="Merge">The merge's state.</param>
/// <param name="SlurmProblem">Why Slurm did not answer (states then come from the store alone), or null.</param>
public sealed record SlurmAnalysisStatus(string Analysis, int ShardCount, int Checkpoints, int Done, int FailedCheckpoints,
    IReadOnlyList<ShardStatus> Shards, string? MergeJobId, SlurmJobState? MergeJob, MergeState Merge, string? SlurmProblem)
{
    /// <summary>Shards that need a new job: failed, or unfinished with nothing queued.</summary>
    public IReadOnlyList<int> ToResubmit => Shards.Where(s => s.State is ShardState.Failed or ShardState.Unfinished).Select(s => s.Shard).ToList();

    /// <summary>True when a resubmit has something to do.</summary>
    public bool NeedsResubmit => ToResubmit.Count > 0 || Merge is MergeState.Blocked or MergeState.Failed or MergeState.NotRunning;
}

/// <summary>What <c>slurm submit</c> or <c>slurm resubmit</c> did (or, with a dry run, would do).</summary>
/// <param name="Analysis">The analysis folder.</param>
/// <param name="ShardsScript">The array job's script.</param>
/// <param name="MergeScript">The merge job's script.</param>
/// <param name="Shards">The shards queued (array task ids).</param>
/// <param name="ShardsJob">The array job's id, or null (dry run, or no shard queued).</param>
/// <param name="MergeJob">The merge job's id, or null (dry run, or nothing to do).</param>
/// <param name="Commands">The commands run (or to run), as a shell would take them.</param>
/// <param name="CancelledJobs">Jobs cancelled first (a merge waiting on a failed shard).</param>
/// <param name="DryRun">Nothing was submitted.</param>
/// <param name="Note">Why nothing was submitted, when so.</param>
public sealed record SlurmSubmitResult(string Analysis, string ShardsScript, string MergeScript, IReadOnlyList<int> Shards,
    string? ShardsJob, string? MergeJob, IReadOnlyList<string> Commands, IReadOnlyList<string> CancelledJobs, bool DryRun, string? Note);
