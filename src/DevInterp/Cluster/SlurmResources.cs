using System.Globalization;
using System.Text.RegularExpressions;

namespace DevInterp.Cluster;

/// <summary>
/// What every job of an analysis asks Slurm for (the shards and the merge alike): each non-null value becomes one
/// <c>#SBATCH</c> line of the scripts, so a script resubmitted by hand asks for the same. Null leaves the cluster's default.
/// </summary>
/// <param name="Partition">--partition.</param>
/// <param name="Time">--time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.</param>
/// <param name="CpusPerTask">--cpus-per-task; also the number of threads torch uses in the job.</param>
/// <param name="Memory">--mem: per node, an integer with an optional K/M/G/T suffix.</param>
/// <param name="Account">--account.</param>
/// <param name="ExtraArguments">Further sbatch options, each one word (<c>--qos=long</c>, <c>--constraint=avx2</c>).</param>
public sealed partial record SlurmResources(string? Partition = null, string? Time = null, int CpusPerTask = 1,
    string? Memory = null, string? Account = null, IReadOnlyList<string>? ExtraArguments = null)
{
    [GeneratedRegex(@"^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$", RegexOptions.IgnoreCase)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^\d+[KMGT]?$", RegexOptions.IgnoreCase)]
    private static partial Regex MemoryPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.,:+-]+$")]
    private static partial Regex NamePattern();

    /// <summary>The sbatch options, as the words of the scripts' <c>#SBATCH</c> lines.</summary>
    /// <exception cref="ArgumentException">A value Slurm would reject or a directive line cannot hold; the message names the option.</exception>
    public IReadOnlyList<string> Directives()
    {
        var words = new List<string>();
        if (Partition is not null) words.Add("--partition=" + Check(Partition, "--partition", NamePattern(), "a partition name"));
        if (Account is not null) words.Add("--account=" + Check(Account, "--account", NamePattern(), "an account name"));
        if (Time is not null) words.Add("--time=" + Check(Time, "--time", TimePattern(), "minutes, HH:MM:SS or D-HH:MM:SS"));
        if (CpusPerTask < 1) throw new ArgumentException($"--cpus-per-task {CpusPerTask} must be at least 1");
        words.Add("--cpus-per-task=" + CpusPerTask.ToString(CultureInfo.InvariantCulture));
        if (Memory is not null) words.Add("--mem=" + Check(Memory, "--mem", MemoryPattern(), "an integer with an optional K, M, G or T suffix, e.g. 8G"));
        foreach (string extra in ExtraArguments ?? [])
        {
            if (!extra.StartsWith('-') || extra.Any(char.IsWhiteSpace) || extra.Contains('#'))
                throw new ArgumentException($"--sbatch-arg '{extra}' must be one sbatch option without spaces, e.g. --sbatch-arg=--qos=long");
            if (extra.StartsWith("--array", StringComparison.Ordinal) || extra.StartsWith("--dependency", StringComparison.Ordinal) ||
                extra.StartsWith("--output", StringComparison.Ordinal) || extra.StartsWith("--chdir", StringComparison.Ordinal))
                throw new ArgumentException($"--sbatch-arg '{extra}': devinterp sets this option itself (see docs/cluster.md)");
            words.Add(extra);
        }
        return words;
    }

    private static string Check(string value, string option, Regex pattern, string expected) =>
        pattern.IsMatch(value) ? value : throw new ArgumentException($"{option} '{value}' must be {expected}");
}
