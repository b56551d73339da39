namespace DevInterp.Cluster;

/// <summary>What Slurm says about one job or one array task.</summary>
/// <param name="JobId">The job (<c>124</c>) or array task (<c>123_1</c>).</param>
/// <param name="State">Slurm's state word: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, ...</param>
/// <param name="Reason">Why it waits (squeue's reason: Dependency, DependencyNeverSatisfied, Resources, ...), or null.</param>
/// <param name="Source"><c>squeue</c> or <c>sacct</c>.</param>
public sealed record SlurmJobState(string JobId, string State, string? Reason, string Source)
{
    /// <summary>Waiting to start (or held, suspended, requeued): it will run later without anyone resubmitting it.</summary>
    public bool IsPending => State is "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESV_DEL_HOLD" or "SUSPENDED" or "STOPPED";

    /// <summary>Started and not yet ended.</summary>
    public bool IsRunning => State is "RUNNING" or "CONFIGURING" or "COMPLETING" or "RESIZING" or "SIGNALING" or "STAGE_OUT";

    /// <summary>Pending or running: resubmitting it would run the same shard twice.</summary>
    public bool IsActive => IsPending || IsRunning;

    /// <summary>Pending on a dependency that can never be met (a job it waits for failed or was cancelled).</summary>
    public bool IsBlocked => IsPending && Reason is not null && Reason.StartsWith("DependencyNeverSatisfied", StringComparison.Ordinal);

    /// <summary>The state as one short phrase: <c>PENDING (Dependency)</c>.</summary>
    public override string ToString() => Reason is null or "None" or "" ? State : $"{State} ({Reason})";
}
