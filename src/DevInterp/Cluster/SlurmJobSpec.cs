namespace DevInterp.Cluster;

/// <summary>
/// What the jobs of one analysis run: the analysis folder, the run, the number of shards, the devinterp they call and
/// what they ask Slurm for. Every path is absolute, so the scripts run the same from any node and any directory.
/// </summary>
/// <param name="Analysis">The analysis folder (absolute); its analysis.json holds every setting.</param>
/// <param name="Run">The run directory (absolute).</param>
/// <param name="Shards">Number of array tasks; task i runs <c>analyze --shard i/Shards</c>.</param>
/// <param name="Devinterp">The command every job runs as devinterp: an executable path, or e.g. <c>dotnet exec …/DevInterp.Cli.dll</c>.</param>
/// <param name="RunArguments">The run inputs given to <c>slurm submit</c> that <c>analyze</c> needs again (--model, --task, --name-map, --key, --dtype), paths absolute.</param>
/// <param name="WorkingDirectory">Where the jobs start (the submission's directory): relative paths in analysis.json resolve against it.</param>
/// <param name="Resources">What each job asks Slurm for.</param>
public sealed record SlurmJobSpec(string Analysis, string Run, int Shards, IReadOnlyList<string> Devinterp,
    IReadOnlyList<string> RunArguments, string WorkingDirectory, SlurmResources Resources);

/// <summary>The files of an analysis's Slurm jobs, under <c>analyses/NAME/slurm/</c>.</summary>
public static class SlurmPaths
{
    /// <summary>The folder: <c>ANALYSIS/slurm</c>.</summary>
    public static string Folder(string analysis) => Path.Combine(Path.GetFullPath(analysis), "slurm");

    /// <summary>The array job's script.</summary>
    public static string ShardsScript(string analysis) => Path.Combine(Folder(analysis), "shards.sbatch");

    /// <summary>The merge job's script.</summary>
    public static string MergeScript(string analysis) => Path.Combine(Folder(analysis), "merge.sbatch");

    /// <summary>The jobs' logs: <c>shard-ARRAYJOB_TASK.out</c> and <c>merge-JOB.out</c>.</summary>
    public static string Logs(string analysis) => Path.Combine(Folder(analysis), "logs");

    /// <summary>The record of what was submitted (shard count, job ids): read by <c>status</c> and <c>resubmit</c>.</summary>
    public static string Submission(string analysis) => Path.Combine(Folder(analysis), "submission.json");
}
