using System.Diagnostics;
using DevInterp.Cli;
using DevInterp.Cluster;

namespace DevInterp.Tests.Cluster;

/// <summary>
/// The generated batch scripts are valid bash, keep every #SBATCH line where sbatch reads it, and run the commands
/// devinterp parses: checked by running them under bash with a stand-in devinterp that records its arguments.
/// </summary>
public class SlurmScriptsTests
{
    private static SlurmJobSpec Spec(string dir, int shards = 4, string run = "/data/runs/dln", SlurmResources? resources = null, params string[] devinterp) => new(
        Path.Combine(dir, "analyses", "dln"), run, shards, devinterp.Length > 0 ? devinterp : ["/opt/devinterp/devinterp"],
        ["--key", "model"], dir, resources ?? new SlurmResources(Partition: "cpu", Time: "1:00:00", CpusPerTask: 3, Memory: "4G", Account: "lab", ExtraArguments: ["--qos=long"]));

    [Fact]
    public void BothScriptsAreValidBashWithEveryDirectiveBeforeTheFirstCommand()
    {
        string dir = TestPaths.NewTempDir();
        foreach (string script in new[] { SlurmScripts.Shards(Spec(dir)), SlurmScripts.Merge(Spec(dir)) })
        {
            string file = Path.Combine(dir, "script.sbatch");
            File.WriteAllText(file, script);
            var (code, output) = Bash(dir, [], "-n", file);
            Assert.True(code == 0, output);
            var lines = script.Split('\n');
            Assert.Equal("#!/bin/bash", lines[0]);
            // sbatch stops reading #SBATCH lines at the first line that is neither a comment nor blank.
            int firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
            int lastDirective = Array.FindLastIndex(lines, l => l.StartsWith("#SBATCH", StringComparison.Ordinal));
            Assert.True(lastDirective < firstCommand, $"#SBATCH line {lastDirective} after the first command at line {firstCommand}");
            foreach (string d in new[] { "--partition=cpu", "--time=1:00:00", "--cpus-per-task=3", "--mem=4G", "--account=lab", "--qos=long", $"--chdir={dir}" })
                Assert.Contains($"#SBATCH {d}\n", script);
        }
        string shards = SlurmScripts.Shards(Spec(dir));
        Assert.Contains("#SBATCH --array=0-3\n", shards);
        Assert.Contains($"#SBATCH --output={Path.Combine(dir, "analyses", "dln", "slurm", "logs")}/shard-%A_%a.out\n", shards);
        Assert.Contains("#SBATCH --job-name=devinterp-dln-shards\n", shards);
        Assert.Contains("#SBATCH --job-name=devinterp-dln-merge\n", SlurmScripts.Merge(Spec(dir)));
    }

    [Fact]
    public void EachArrayTaskRunsItsShardOfAnalyzeWithTheRecordedConfigAndTheThreadsSlurmGave()
    {
        string dir = TestPaths.NewTempDir();
        string run = Path.Combine(dir, "my run's checkpoints"); // a space and a quote: the script must quote it
        var spec = Spec(dir, shards: 4, run: run, devinterp: Stub(dir));
        string script = Path.Combine(dir, "shards.sbatch");
        File.WriteAllText(script, SlurmScripts.Shards(spec));

        var (code, output) = Bash(dir, new() { ["SLURM_ARRAY_TASK_ID"] = "2", ["SLURM_ARRAY_JOB_ID"] = "77", ["SLURM_CPUS_PER_TASK"] = "3" }, script);

        Assert.True(code == 0, output);
        var calls = Calls(dir);
        Assert.Equal(["--version"], calls[0].Args);
        var analyze = calls[1].Args;
        Assert.Equal("3", calls[1].Threads);
        Assert.Equal(["analyze", run, "--out", spec.Analysis, "--config", Path.Combine(spec.Analysis, "analysis.json"), "--key", "model",
            "--shard", "2/4", "--no-merge", "--no-report"], analyze);
        var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, interactive: false));
        Assert.Empty(root.Parse(analyze.ToArray()).Errors);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 0)] // some checkpoints failed and were recorded: the shard is done, the merge must still run
    [InlineData(2, 2)]
    [InlineData(1, 1)]
    public void AShardFailsItsJobUnlessTheFailuresWereRecorded(int analyzeExit, int jobExit)
    {
        string dir = TestPaths.NewTempDir();
        string script = Path.Combine(dir, "shards.sbatch");
        File.WriteAllText(script, SlurmScripts.Shards(Spec(dir, devinterp: Stub(dir))));
        var (code, output) = Bash(dir, new() { ["SLURM_ARRAY_TASK_ID"] = "0", ["STUB_EXIT"] = analyzeExit.ToString(System.Globalization.CultureInfo.InvariantCulture) }, script);
        Assert.True(jobExit == code, output);
    }

    [Fact]
    public void TheMergeJobRunsMergeOnTheFolder()
    {
        string dir = TestPaths.NewTempDir();
        var spec = Spec(dir, devinterp: Stub(dir));
        string script = Path.Combine(dir, "merge.sbatch");
        File.WriteAllText(script, SlurmScripts.Merge(spec));
        var (code, output) = Bash(dir, new() { ["SLURM_JOB_ID"] = "78" }, script);
        Assert.True(code == 0, output);
        var calls = Calls(dir);
        Assert.Equal(["merge", spec.Analysis], calls[^1].Args);
        Assert.Equal("1", calls[^1].Threads); // no --cpus-per-task from Slurm: one thread
    }

    [Fact]
    public void ResourcesSlurmWouldRejectAreOneLineErrorsNamingTheOption()
    {
        Assert.Contains("--time '1h'", Assert.Throws<ArgumentException>(() => new SlurmResources(Time: "1h").Directives()).Message);
        Assert.Contains("--mem '4GB'", Assert.Throws<ArgumentException>(() => new SlurmResources(Memory: "4GB").Directives()).Message);
        Assert.Contains("--cpus-per-task 0", Assert.Throws<ArgumentException>(() => new SlurmResources(CpusPerTask: 0).Directives()).Message);
        Assert.Contains("one sbatch option", Assert.Throws<ArgumentException>(() => new SlurmResources(ExtraArguments: ["--qos long"]).Directives()).Message);
        Assert.Contains("sets this option itself", Assert.Throws<ArgumentException>(() => new SlurmResources(ExtraArguments: ["--array=0-9"]).Directives()).Message);
        Assert.Equal(["--time=2-12:00:00", "--cpus-per-task=1", "--mem=500M"], new SlurmResources(Time: "2-12:00:00", Memory: "500M").Directives());
        string spaced = Path.Combine(TestPaths.NewTempDir(), "my analyses");
        var e = Assert.Throws<ArgumentException>(() => SlurmScripts.Shards(Spec(spaced)));
        Assert.Contains("#SBATCH line cannot hold a path with spaces", e.Message);
    }

    [Fact]
    public void ShellQuotingRoundTripsThroughBash()
    {
        string[] words = ["plain/path-1.2", "with space", "it's", "$HOME", "back\\slash", "semi;colon", "*"];
        string dir = TestPaths.NewTempDir();
        var (code, output) = Bash(dir, [], "-c", $"printf '%s\\n' {ShellWords.Join(words)}");
        Assert.True(code == 0, output);
        Assert.Equal(words, output.TrimEnd('\n').Split('\n'));
        Assert.Equal("plain/path-1.2", ShellWords.Quote("plain/path-1.2"));
    }

    /// <summary>A stand-in devinterp that appends its arguments (and OMP_NUM_THREADS) to calls.txt and exits STUB_EXIT (or 0).</summary>
    private static string[] Stub(string dir)
    {
        string stub = Path.Combine(dir, "devinterp-stub");
        File.WriteAllText(stub, "#!/bin/bash\n{ echo \"threads=${OMP_NUM_THREADS:-}\"; printf 'arg=%s\\n' \"$@\"; echo end; } >> \"$(dirname \"$0\")/calls.txt\"\n" +
            "if [ \"${1:-}\" = --version ]; then exit 0; fi\nexit \"${STUB_EXIT:-0}\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return [stub];
    }

    private static List<(string Threads, List<string> Args)> Calls(string dir)
    {
        var calls = new List<(string, List<string>)>();
        string threads = "";
        var args = new List<string>();
        foreach (string line in File.ReadAllLines(Path.Combine(dir, "calls.txt")))
        {
            if (line.StartsWith("threads=", StringComparison.Ordinal)) threads = line["threads=".Length..];
            else if (line.StartsWith("arg=", StringComparison.Ordinal)) args.Add(line["arg=".Length..]);
            else if (line == "end") { calls.Add((threads, args)); args = []; }
        }
        return calls;
    }

    private static (int Code, string Output) Bash(string dir, Dictionary<string, string> env, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (string a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        info.Environment.Remove("OMP_NUM_THREADS");
        if (!env.ContainsKey("SLURM_CPUS_PER_TASK")) info.Environment.Remove("SLURM_CPUS_PER_TASK");
        using var p = Process.Start(info)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result + e.Result);
    }
}
