using System.Globalization;
using System.Text.RegularExpressions;

namespace DevInterp.Cluster;

/// <summary>What Slurm answered about some jobs: their states, or why it could not be asked.</summary>
/// <param name="Jobs">States by job or array-task id (<c>124</c>, <c>123_1</c>); a job Slurm no longer knows is absent.</param>
/// <param name="Problem">Why the command gave no answer (not installed, controller unreachable, accounting disabled), or null.</param>
public sealed record SlurmAnswer(IReadOnlyDictionary<string, SlurmJobState> Jobs, string? Problem)
{
    /// <summary>Slurm answered (possibly that it knows none of the jobs).</summary>
    public bool Answered => Problem is null;
}

/// <summary>
/// The Slurm commands devinterp uses: <c>sbatch</c> to submit, <c>squeue</c> for jobs Slurm still holds (pending,
/// running, and recently ended ones), <c>sacct</c> for ended jobs where accounting is kept, <c>scancel</c>.
/// </summary>
public sealed partial class SlurmClient(IProcessRunner runner)
{
    [GeneratedRegex(@"^(\d+)_\[([0-9,\-%]+)\]$")]
    private static partial Regex CollapsedArray();

    /// <summary>Runs <c>sbatch --parsable</c> with <paramref name="arguments"/> and returns the new job's id.</summary>
    /// <exception cref="SlurmException">sbatch is missing or refused the job; the message quotes its error.</exception>
    public string Submit(IReadOnlyList<string> arguments)
    {
        var result = runner.Run("sbatch", ["--parsable", .. arguments]);
        if (result.NotFound)
            throw new SlurmException("sbatch is not on the PATH: run this on a Slurm login node (or use --dry-run to only write the scripts)");
        if (result.ExitCode != 0)
            throw new SlurmException($"sbatch {ShellWords.Join(arguments)} failed (exit {result.ExitCode}): {result.FirstErrorLine}");
        // --parsable prints "jobid" or "jobid;cluster".
        string id = result.Output.Trim().Split(';')[0];
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new SlurmException($"sbatch {ShellWords.Join(arguments)} printed '{result.Output.Trim()}', not a job id");
        return id;
    }

    /// <summary>Cancels a job (or array task) with <c>scancel</c>.</summary>
    /// <exception cref="SlurmException">scancel is missing or failed.</exception>
    public void Cancel(string jobId)
    {
        var result = runner.Run("scancel", [jobId]);
        if (result.NotFound) throw new SlurmException("scancel is not on the PATH: run this on a Slurm login node");
        if (result.ExitCode != 0) throw new SlurmException($"scancel {jobId} failed (exit {result.ExitCode}): {result.FirstErrorLine}");
    }

    /// <summary>
    /// <c>squeue</c>'s states of <paramref name="jobIds"/> (each array expanded into its tasks). squeue lists every
    /// pending and running job, so a job it does not list has ended.
    /// </summary>
    public SlurmAnswer Queue(IEnumerable<string> jobIds)
    {
        var jobs = new Dictionary<string, SlurmJobState>();
        foreach (string id in jobIds.Distinct())
        {
            var result = runner.Run("squeue", ["--noheader", "--array", "--states=all", "--jobs=" + id, "--format=%i|%T|%r"]);
            if (result.NotFound) return new SlurmAnswer(jobs, "squeue is not on the PATH");
            // A job that left the controller's memory is "invalid"; that is an answer (it has ended), not a failure.
            if (result.ExitCode != 0 && result.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) continue;
            if (result.ExitCode != 0) return new SlurmAnswer(jobs, $"squeue failed (exit {result.ExitCode}): {result.FirstErrorLine}");
            Parse(result.Output, "squeue", jobs);
        }
        return new SlurmAnswer(jobs, null);
    }

    /// <summary><c>sacct</c>'s states of <paramref name="jobIds"/>: ended jobs too, where the cluster keeps accounting.</summary>
    public SlurmAnswer Accounting(IEnumerable<string> jobIds)
    {
        var jobs = new Dictionary<string, SlurmJobState>();
        var ids = jobIds.Distinct().ToList();
        if (ids.Count == 0) return new SlurmAnswer(jobs, null);
        var result = runner.Run("sacct", ["--noheader", "--parsable2", "--allocations", "--jobs=" + string.Join(',', ids), "--format=JobID,State"]);
        if (result.NotFound) return new SlurmAnswer(jobs, "sacct is not on the PATH");
        if (result.ExitCode != 0) return new SlurmAnswer(jobs, $"sacct: {result.FirstErrorLine}");
        Parse(result.Output, "sacct", jobs);
        return new SlurmAnswer(jobs, null);
    }

    private static void Parse(string output, string source, Dictionary<string, SlurmJobState> into)
    {
        foreach (string raw in output.Split('\n'))
        {
            string[] fields = raw.Trim().Split('|');
            if (fields.Length < 2 || fields[0].Length == 0) continue;
            // sacct says "CANCELLED by 0": the state is the first word.
            string state = fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            string? reason = fields.Length > 2 && fields[2] is { Length: > 0 } r && r != "None" ? r : null;
            foreach (string id in Expand(fields[0])) into[id] = new SlurmJobState(id, state, reason, source);
        }
    }

    /// <summary>Array ids as Slurm may print them collapsed: <c>123_[0-2,5%2]</c> → 123_0, 123_1, 123_2, 123_5.</summary>
    internal static IEnumerable<string> Expand(string id)
    {
        var m = CollapsedArray().Match(id);
        if (!m.Success) return [id];
        string job = m.Groups[1].Value;
        string ranges = m.Groups[2].Value.Split('%')[0]; // "%N" is the array's throttle, not a task
        var ids = new List<string>();
        foreach (string range in ranges.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] ends = range.Split('-');
            int from = int.Parse(ends[0], CultureInfo.InvariantCulture), to = int.Parse(ends[^1], CultureInfo.InvariantCulture);
            for (int i = from; i <= to; i++) ids.Add($"{job}_{i.ToString(CultureInfo.InvariantCulture)}");
        }
        return ids;
    }
}
