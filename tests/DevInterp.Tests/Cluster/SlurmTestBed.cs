using System.Diagnostics;
using System.Text.Json.Nodes;
using DevInterp.Tests.Analysis;

namespace DevInterp.Tests.Cluster;

/// <summary>
/// What the real-Slurm tests share: the one-node cluster, a demo run (every 4th checkpoint of the shipped DLN run) with
/// a quick fixed-length LLC config, the built devinterp they run as a user would, and the single-process analysis of
/// that run that every Slurm result is compared with (computed once).
/// </summary>
public sealed class SlurmTestBed : IDisposable
{
    private readonly Lazy<(string Folder, TimeSpan Elapsed)> _reference;

    /// <summary>Starts the cluster and prepares the run; nothing else happens when the cluster cannot start.</summary>
    public SlurmTestBed()
    {
        Cluster = new LocalSlurmCluster();
        Problem = Cluster.Problem ?? (File.Exists(Devinterp) ? null : $"{Devinterp} is missing: build src/DevInterp.Cli first");
        (Run, Steps) = Problem is null ? DemoRunCopy.EveryNth("dln", 4) : ("", []);
        // Chains long enough (a few seconds per checkpoint) that a shard can be cancelled between two checkpoints.
        Config = Problem is null ? DemoRunCopy.QuickConfig(Run, "slurm", draws: 3000, burnIn: 200) : "";
        _reference = new(() =>
        {
            string folder = Path.Combine(TestPaths.NewTempDir("devinterp-slurm-ref"), "one-process");
            var (code, output, elapsed) = Cli("analyze", Run, "--out", folder, "--config", Config);
            if (code != 0) throw new InvalidOperationException($"single-process analyze failed (exit {code}): {output}");
            return (folder, elapsed);
        });
    }

    /// <summary>The cluster.</summary>
    public LocalSlurmCluster Cluster { get; }

    /// <summary>Why the tests cannot run here, or null.</summary>
    public string? Problem { get; }

    /// <summary>The run copied for the tests.</summary>
    public string Run { get; }

    /// <summary>Its steps.</summary>
    public long[] Steps { get; }

    /// <summary>The analysis.json given to <c>--config</c>.</summary>
    public string Config { get; }

    /// <summary>The built launcher of this build's configuration (what .ci/slurm-check builds, and what the jobs run).</summary>
    public static string Devinterp
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(TestPaths.RepoRoot, "src", "DevInterp.Cli", "bin", configuration, "net10.0", "devinterp");
        }
    }

    /// <summary>The single-process analysis of the run with the same config, and how long it took.</summary>
    public (string Folder, TimeSpan Elapsed) Reference => _reference.Value;

    /// <summary>
    /// Runs devinterp as a process from the repository root, with this cluster's SLURM_CONF, and torch on one thread as
    /// in every job (--cpus-per-task 1).
    /// </summary>
    public (int Code, string Output, TimeSpan Elapsed) Cli(params string[] args)
    {
        var info = new ProcessStartInfo(Devinterp) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = TestPaths.RepoRoot };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["SLURM_CONF"] = Cluster.Conf;
        info.Environment["OMP_NUM_THREADS"] = "1";
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(info)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); return (-1, $"devinterp {string.Join(' ', args)} ran for 10 minutes", clock.Elapsed); }
        p.WaitForExit();
        return (p.ExitCode, o.Result + (e.Result.Length > 0 ? "\n[stderr] " + e.Result : ""), clock.Elapsed);
    }

    /// <summary>Runs devinterp with <c>--json</c> output expected; fails with its output otherwise.</summary>
    public JsonNode CliJson(params string[] args)
    {
        var (code, output, _) = Cli(args);
        Assert.True(code == 0, $"devinterp {string.Join(' ', args)} exited {code}: {output}");
        return JsonNode.Parse(output.Split("\n[stderr]")[0])!;
    }

    /// <summary>Waits until Slurm no longer lists any of <paramref name="jobs"/> as pending or running.</summary>
    public void WaitForJobs(IEnumerable<string> jobs, TimeSpan limit)
    {
        var ids = jobs.ToList();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (code, output) = Cluster.Client("squeue", "--noheader", "--array", "--states=PENDING,RUNNING,CONFIGURING,COMPLETING",
                "--jobs=" + string.Join(',', ids), "--format=%i|%T|%r");
            if (code == 0 && output.Trim().Length == 0) return;
            if (code != 0 && !output.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"squeue failed: {output}");
            if (clock.Elapsed > limit) throw new TimeoutException($"jobs {string.Join(',', ids)} still queued after {limit}: {output.Trim()}");
            Thread.Sleep(500);
        }
    }

    /// <summary>Stops the cluster.</summary>
    public void Dispose() => Cluster.Dispose();
}
