using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace DevInterp.Tests.Cluster;

/// <summary>
/// A one-node Slurm cluster on this machine for the real-Slurm tests: installs Debian's slurmctld, slurmd, slurm-client
/// and munge when missing, writes a slurm.conf (and cgroup.conf) into a fresh folder, and starts munged, slurmctld and
/// slurmd in the foreground as children of the test process, on free ports, with their own munge key and socket, so
/// nothing of the machine's own configuration is used or changed. <see cref="Dispose"/> stops exactly those three
/// processes, by the pids it started. When Slurm cannot be started here, <see cref="Problem"/> says why in one line.
/// </summary>
public sealed class LocalSlurmCluster : IDisposable
{
    /// <summary>Set to 1 to run the real-Slurm tests (.ci/slurm-check does); otherwise they are skipped.</summary>
    public const string EnableVariable = "DEVINTERP_SLURM_TESTS";

    private readonly List<Process> _daemons = [];
    private readonly StringBuilder _daemonOutput = new();

    /// <summary>Starts the cluster, or records why it cannot.</summary>
    public LocalSlurmCluster()
    {
        if (Environment.GetEnvironmentVariable(EnableVariable) != "1")
        {
            Problem = $"real-Slurm test: runs in .ci/slurm-check (set {EnableVariable}=1)";
            return;
        }
        try
        {
            Problem = Start();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception or SocketException)
        {
            Problem = $"Slurm could not be started here: {e.Message}";
        }
        if (Problem is not null) Dispose();
    }

    /// <summary>Why the cluster is not running (the tests skip with it), or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>The folder holding slurm.conf, the state, spool and the daemons' logs.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"devinterp-slurm-{Guid.NewGuid():N}"[..24]);

    /// <summary>slurm.conf: set as SLURM_CONF for every Slurm client (sbatch, squeue, ...) the tests run.</summary>
    public string Conf => Path.Combine(Folder, "slurm.conf");

    /// <summary>The pids of the daemons started (munged, slurmctld, slurmd).</summary>
    public IReadOnlyList<int> Pids => _daemons.Select(p => p.Id).ToList();

    /// <summary>Runs a Slurm client command against this cluster; returns exit code and output.</summary>
    public (int Code, string Output) Client(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["SLURM_CONF"] = Conf;
        using var p = Process.Start(info)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1))) { p.Kill(true); return (-1, $"{command} did not answer"); }
        p.WaitForExit();
        return (p.ExitCode, o.Result + e.Result);
    }

    private string? Start()
    {
        if (!OperatingSystem.IsLinux()) return "real-Slurm test: needs Linux";
        if (Environment.UserName != "root") return "real-Slurm test: needs root (slurmd runs jobs as their user); run .ci/slurm-check as root";
        string[] programs = ["munged", "slurmctld", "slurmd", "sbatch"];
        if (programs.Any(p => Find(p) is null) && !NodeCheckSetup.AptInstall(["slurmctld", "slurmd", "slurm-client", "munge"], out string aptError))
            return $"Slurm is not installed and could not be installed: {aptError}";
        if (programs.FirstOrDefault(p => Find(p) is null) is { } missing) return $"{missing} is missing after installing Slurm";

        Directory.CreateDirectory(Folder);
        foreach (string dir in new[] { "state", "spool", "log", "run" }) Directory.CreateDirectory(Path.Combine(Folder, dir));
        File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string key = Path.Combine(Folder, "munge.key");
        File.WriteAllBytes(key, RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string socket = Path.Combine(Folder, "run", "munge.socket");
        string host = Dns.GetHostName().Split('.')[0];
        int controllerPort = FreePort(), nodePort = FreePort();
        File.WriteAllText(Conf, SlurmConf(host, controllerPort, nodePort, socket));
        // Read from the folder of slurm.conf; cgroup/v1 without automount is what starts as root in a container.
        File.WriteAllText(Path.Combine(Folder, "cgroup.conf"), "CgroupPlugin=cgroup/v1\nCgroupAutomount=no\n");

        // --force: munged refuses folders whose ownership or mode it finds unusual (a container's /tmp).
        StartDaemon(Find("munged")!, "--foreground", "--force", $"--socket={socket}", $"--key-file={key}",
            $"--log-file={Path.Combine(Folder, "log", "munged.log")}", $"--pid-file={Path.Combine(Folder, "run", "munged.pid")}",
            $"--seed-file={Path.Combine(Folder, "run", "munged.seed")}");
        if (!WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(20))) return $"munged did not start: {Tail()}";
        StartDaemon(Find("slurmctld")!, "-D", "-f", Conf);
        StartDaemon(Find("slurmd")!, "-D", "-f", Conf, "-N", host);
        bool idle = WaitFor(() =>
        {
            var (code, output) = Client("sinfo", "--noheader", "--format=%T");
            return code == 0 && output.Trim() is "idle" or "mixed" or "allocated";
        }, TimeSpan.FromSeconds(60));
        if (!idle) return $"the Slurm node did not come up (sinfo: {Client("sinfo", "--noheader", "--format=%T|%E").Output.Trim()}): {Tail()}";
        return null;
    }

    private static string SlurmConf(string host, int controllerPort, int nodePort, string socket) => string.Join('\n',
    [
        "# One-node cluster for the devinterp real-Slurm tests (tests/DevInterp.Tests/Cluster/LocalSlurmCluster.cs).",
        "ClusterName=devinterp-test",
        $"SlurmctldHost={host}(127.0.0.1)",
        $"SlurmctldPort={controllerPort}",
        $"SlurmdPort={nodePort}",
        "AuthType=auth/munge",
        $"AuthInfo=socket={socket}",
        "CredType=cred/munge",
        "SlurmUser=root",
        "SlurmdUser=root",
        "StateSaveLocation=" + Path.Combine(Path.GetDirectoryName(socket)!, "..", "state"),
        "SlurmdSpoolDir=" + Path.Combine(Path.GetDirectoryName(socket)!, "..", "spool"),
        "SlurmctldPidFile=" + Path.Combine(Path.GetDirectoryName(socket)!, "slurmctld.pid"),
        "SlurmdPidFile=" + Path.Combine(Path.GetDirectoryName(socket)!, "slurmd.pid"),
        "SlurmctldLogFile=" + Path.Combine(Path.GetDirectoryName(socket)!, "..", "log", "slurmctld.log"),
        "SlurmdLogFile=" + Path.Combine(Path.GetDirectoryName(socket)!, "..", "log", "slurmd.log"),
        // What works as root without systemd or a writable cgroup tree.
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_CPU",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "MpiDefault=none",
        "ReturnToService=2",
        $"NodeName={host} NodeAddr=127.0.0.1 CPUs={Environment.ProcessorCount} RealMemory=1000 State=UNKNOWN",
        $"PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP",
        "",
    ]);

    private void StartDaemon(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["SLURM_CONF"] = Conf;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        string name = Path.GetFileName(program);
        void Append(string? line) { if (line is not null) lock (_daemonOutput) _daemonOutput.AppendLine($"{name}: {line}"); }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add(process);
    }

    private string Tail()
    {
        lock (_daemonOutput)
        {
            string text = _daemonOutput.ToString().Trim();
            var lines = text.Split('\n');
            return string.Join(" | ", lines.TakeLast(3)).Trim();
        }
    }

    private static bool WaitFor(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (condition()) return true;
            Thread.Sleep(250);
        }
        return condition();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? Find(string name) =>
        NodeCheckSetup.FindOnPath(name) ?? new[] { "/usr/sbin", "/usr/bin", "/sbin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Stops the daemons this fixture started, newest first, by their pids, and removes the folder.</summary>
    public void Dispose()
    {
        // Jobs still running (a failed test) end with their cluster: their processes are slurmstepd's, not ours.
        if (_daemons.Count == 3 && !_daemons.Any(d => d.HasExited)) Client("scancel", "--user=root");
        for (int i = _daemons.Count - 1; i >= 0; i--)
        {
            var p = _daemons[i];
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: false);
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            p.Dispose();
        }
        _daemons.Clear();
        try
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by a dying daemon: the temporary folder is left behind
        }
    }
}
