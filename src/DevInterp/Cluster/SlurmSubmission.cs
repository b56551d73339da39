using System.Text.Json;
using DevInterp.Runs;
using DevInterp.Storage;

namespace DevInterp.Cluster;

/// <summary>One <c>sbatch</c> round: the shards it queued and the merge that waits for them.</summary>
/// <param name="Submitted">When (UTC).</param>
/// <param name="Kind"><c>submit</c> or <c>resubmit</c>.</param>
/// <param name="ShardsJob">The array job's id, or null when no shard was queued (a resubmitted merge alone).</param>
/// <param name="Shards">The array's task ids, which are the shard indices.</param>
/// <param name="MergeJob">The merge job's id.</param>
/// <param name="CancelledJobs">Jobs this round cancelled (a merge left waiting on a failed shard).</param>
public sealed record SlurmRound(DateTimeOffset Submitted, string Kind, string? ShardsJob, IReadOnlyList<int> Shards,
    string MergeJob, IReadOnlyList<string> CancelledJobs);

/// <summary>
/// <c>analyses/NAME/slurm/submission.json</c>: the shard count of an analysis submitted to Slurm and every round of job
/// ids, newest last. <c>slurm status</c> asks Slurm about the newest job of each shard; <c>slurm resubmit</c> appends.
/// </summary>
/// <param name="Analysis">The analysis folder (absolute).</param>
/// <param name="ShardCount">n of the shards' i/n.</param>
/// <param name="Devinterp">The command the jobs run as devinterp.</param>
/// <param name="Rounds">Every submission, oldest first.</param>
public sealed record SlurmSubmission(string Analysis, int ShardCount, IReadOnlyList<string> Devinterp, IReadOnlyList<SlurmRound> Rounds)
{
    /// <summary>Schema identifier.</summary>
    public string Format { get; init; } = "devinterp-slurm-submission";

    /// <summary>Schema version.</summary>
    public int Version { get; init; } = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>The newest round that queued shard <paramref name="shard"/>, and its array task id; null when none did.</summary>
    public (SlurmRound Round, string TaskId)? LatestFor(int shard) =>
        Rounds.LastOrDefault(r => r.ShardsJob is not null && r.Shards.Contains(shard)) is { } round
            ? (round, $"{round.ShardsJob}_{shard}")
            : null;

    /// <summary>Reads the submission record of <paramref name="analysis"/>.</summary>
    /// <exception cref="RunFormatException">The folder was not submitted with <c>devinterp slurm submit</c>, or the file is unreadable.</exception>
    public static SlurmSubmission Load(string analysis)
    {
        string path = SlurmPaths.Submission(analysis);
        if (!File.Exists(path))
            throw new RunFormatException(analysis, $"no {Path.GetRelativePath(Path.GetFullPath(analysis), path)}: this analysis was not submitted with 'devinterp slurm submit'");
        try
        {
            return JsonSerializer.Deserialize<SlurmSubmission>(File.ReadAllText(path), Json)
                ?? throw new RunFormatException(path, "empty submission record");
        }
        catch (JsonException e)
        {
            throw new RunFormatException(path, $"not a valid submission record: {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="analysis"/> has a submission record.</summary>
    public static bool Exists(string analysis) => File.Exists(SlurmPaths.Submission(analysis));

    /// <summary>Writes the record atomically.</summary>
    public void Save() => AtomicFile.WriteAllText(SlurmPaths.Submission(Analysis), JsonSerializer.Serialize(this, Json));
}
