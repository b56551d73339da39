using System.Globalization;
using DevInterp.Cluster;

namespace DevInterp.Tests.Cluster;

/// <summary>
/// A scripted stand-in for Slurm's commands behind <see cref="IProcessRunner"/>: sbatch hands out increasing job ids,
/// squeue and sacct answer from the states the test sets (in their real output formats), scancel marks a job
/// cancelled. Every call is recorded.
/// </summary>
internal sealed class FakeSlurm : IProcessRunner
{
    private int _next = 100;

    /// <summary>Every command run, as program and arguments.</summary>
    public List<(string Program, IReadOnlyList<string> Args)> Calls { get; } = [];

    /// <summary>What squeue lists: id (<c>101_0</c>, <c>102</c>) → "STATE|REASON".</summary>
    public Dictionary<string, string> Queue { get; } = [];

    /// <summary>What sacct knows: id → state text (e.g. "CANCELLED by 0"); null: accounting disabled.</summary>
    public Dictionary<string, string>? Accounting { get; set; }

    /// <summary>Programs that are "not installed".</summary>
    public HashSet<string> Missing { get; } = [];

    /// <summary>The sbatch calls' arguments.</summary>
    public List<IReadOnlyList<string>> Submissions => Calls.Where(c => c.Program == "sbatch").Select(c => c.Args).ToList();

    public ProcessResult Run(string program, IReadOnlyList<string> arguments)
    {
        Calls.Add((program, arguments.ToList()));
        if (Missing.Contains(program)) return new ProcessResult(127, "", $"{program}: No such file or directory", NotFound: true);
        switch (program)
        {
            case "sbatch":
                return new ProcessResult(0, (_next++).ToString(CultureInfo.InvariantCulture) + "\n", "");
            case "scancel":
                Queue.Remove(arguments[0]);
                (Accounting ??= [])[arguments[0]] = "CANCELLED by 0";
                return new ProcessResult(0, "", "");
            case "squeue":
            {
                string job = arguments.Single(a => a.StartsWith("--jobs=", StringComparison.Ordinal))["--jobs=".Length..];
                var lines = Queue.Where(q => q.Key == job || q.Key.StartsWith(job + "_", StringComparison.Ordinal)).Select(q => $"{q.Key}|{q.Value}").ToList();
                return lines.Count == 0
                    ? new ProcessResult(1, "", "slurm_load_jobs error: Invalid job id specified\n")
                    : new ProcessResult(0, string.Join('\n', lines) + "\n", "");
            }
            case "sacct":
            {
                if (Accounting is null) return new ProcessResult(1, "", "Slurm accounting storage is disabled\n");
                var jobs = arguments.Single(a => a.StartsWith("--jobs=", StringComparison.Ordinal))["--jobs=".Length..].Split(',');
                var lines = Accounting.Where(a => jobs.Any(j => a.Key == j || a.Key.StartsWith(j + "_", StringComparison.Ordinal))).Select(a => $"{a.Key}|{a.Value}");
                return new ProcessResult(0, string.Join('\n', lines) + "\n", "");
            }
            default:
                throw new InvalidOperationException($"unexpected command {program}");
        }
    }
}
