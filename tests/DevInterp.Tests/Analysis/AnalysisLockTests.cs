using System.Diagnostics;
using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tests.Cli;
using Xunit.Abstractions;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// Issue 14: one writer per analysis folder. A second writer is refused at once saying who holds the folder; shards of
/// one sharded analysis share it; the lock of a killed process is taken over; the analysis folder may not be the run's
/// folder or lie inside it; errors about the folder are one line that says it came from --out.
/// </summary>
public class AnalysisLockTests(ITestOutputHelper output)
{
    [Fact]
    public void ASecondWriterIsRefusedSayingWhoHoldsTheFolder()
    {
        string folder = Path.Combine(TestPaths.NewTempDir(), "a");
        using var first = AnalysisLock.Acquire(folder);

        // Another thread is another writer (a nested acquisition on the holder's own call path is not).
        var e = Assert.Throws<AnalysisFolderException>(() => RunOnOtherThread(() => AnalysisLock.Acquire(folder).Dispose()));
        Assert.Contains($"another process (pid {Environment.ProcessId} on {Environment.MachineName}", e.Message);
        Assert.Contains("is writing into this analysis folder", e.Message);
        using (AnalysisLock.Acquire(folder)) { } // nested: covered by the first

        first.Dispose();
        RunOnOtherThread(() => AnalysisLock.Acquire(folder).Dispose()); // released: free again
        Assert.Null(AnalysisLock.ReadHolder(folder));
    }

    [Fact]
    public void ShardsShareTheFolderAndExcludeEveryOtherWriter()
    {
        string folder = Path.Combine(TestPaths.NewTempDir(), "a");
        using var shard0 = AnalysisLock.Acquire(folder, shared: true);
        RunOnOtherThread(() =>
        {
            using var shard1 = AnalysisLock.Acquire(folder, shared: true);
            Assert.Contains("a sharded process", Assert.Throws<AnalysisFolderException>(() => RunOnOtherThread(() => AnalysisLock.Acquire(folder).Dispose())).Message);
        });
    }

    [Fact]
    public void TheLockOfAKilledProcessIsTakenOver()
    {
        string folder = Path.Combine(TestPaths.NewTempDir(), "a");
        using (var holder = StartChild("hold-lock", folder))
        {
            Assert.Equal("locked", holder.StandardOutput.ReadLine());
            Assert.Contains($"pid {holder.Id}", Assert.Throws<AnalysisFolderException>(() => RunOnOtherThread(() => AnalysisLock.Acquire(folder).Dispose())).Message);
            holder.Kill(entireProcessTree: true); // SIGKILL: no chance to release
            holder.WaitForExit();
            Assert.Equal(holder.Id, AnalysisLock.ReadHolder(folder)!.Pid); // the holder file is left behind

            using var next = AnalysisLock.Acquire(folder);
            Assert.Contains($"pid {holder.Id} on {Environment.MachineName}", next.TakenOverFrom);
            Assert.Contains("ended without releasing it", next.TakenOverFrom);
        }
    }

    [Fact]
    public void TheOutFolderMayNotBeTheRunOrInsideIt()
    {
        string run = DemoRunCopy.Make("dln", 0, 5000);
        var before = Directory.GetFileSystemEntries(run).Order().ToList();

        var same = CliRunner.Run("llc", run, "--out", run, "--quiet");
        var inside = CliRunner.Run("analyze", run, "--out", Path.Combine(run, "analysis"), "--quiet");

        Assert.Equal(ExitCodes.BadInput, same.ExitCode);
        Assert.Equal($"error: {run} (the --out folder): is the run's own folder ({run}); write the analysis into a folder outside the run, e.g. analyses/NAME", same.Err.Trim());
        Assert.Equal(ExitCodes.BadInput, inside.ExitCode);
        Assert.Contains("(the --out folder): lies inside the run's folder", inside.Err);
        Assert.Equal(before, Directory.GetFileSystemEntries(run).Order().ToList()); // nothing written into the run
        Assert.Throws<AnalysisFolderException>(() => AnalysisPipeline.Run(
            AnalysisConfigBuilder.Create("x", run, Run.Open(run)), Run.Open(run), run));
    }

    [Fact]
    public void AnOutFolderThatCannotBeCreatedIsOneLineNamingTheOption()
    {
        string file = Path.Combine(TestPaths.NewTempDir(), "plain-file");
        File.WriteAllText(file, "");
        string run = DemoRunCopy.Make("dln", 0, 5000);

        var r = CliRunner.Run("llc", run, "--out", Path.Combine(file, "sub"), "--quiet");

        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {Path.Combine(file, "sub")} (the --out folder): cannot create the folder", line);
    }

    /// <summary>
    /// Two <c>analyze</c> processes with different settings on one --out: the second is refused at once and the
    /// folder's tables equal those of the first analysing alone.
    /// </summary>
    [Fact]
    public void ASecondAnalyzeWithOtherSettingsIsRefusedAndTheTablesAreTheFirstOnesAlone()
    {
        string run = DemoRunCopy.Make("dln", 0, 700, 1348, 2087, 5000);
        string seed0 = DemoRunCopy.QuickConfig(run, "seed0", draws: 300, burnIn: 100);
        string seed1 = Path.Combine(TestPaths.NewTempDir(), "analysis.json");
        File.WriteAllText(seed1, File.ReadAllText(seed0).Replace("\"seed\": 0", "\"seed\": 1", StringComparison.Ordinal));
        Assert.NotEqual(File.ReadAllText(seed0), File.ReadAllText(seed1));
        string shared = Path.Combine(TestPaths.NewTempDir(), "shared"), alone = Path.Combine(TestPaths.NewTempDir(), "alone");

        // The first stops (holding the folder) once the LLC of step 1348 is written, until told to go on: the second
        // comes while the first is surely mid-analysis, whatever the machine's load.
        string pause = $"parts/llc/{PartKey.ForStep(1348)}.arrow:replaced";
        using (var first = StartChild("devinterp-paused", pause, "analyze", run, "--out", shared, "--config", seed0, "--quiet", "--no-report"))
        {
            string? line;
            while ((line = first.StandardOutput.ReadLine()) is not null && line != $"at {pause}") { }
            // The message only on failure: building it waits for the child's exit, and a paused child never exits.
            if (line is null) Assert.Fail($"the first analysis ended before step 1348's LLC was written (exit {(first.WaitForExit(60_000) ? first.ExitCode : -1)})");
            var clock = Stopwatch.StartNew();
            CliRunner.Result second;
            // Refused at once: before any checkpoint is opened or hashed.
            using (global::DevInterp.Checkpoints.FileOpenFaults.Inject(path => new IOException($"TOUCHED {path}")))
                second = CliRunner.Run("analyze", run, "--out", shared, "--config", seed1, "--quiet", "--no-report");
            output.WriteLine($"second refused after {clock.Elapsed.TotalSeconds:F2} s: {second.Err.Trim()}");
            Assert.Equal(ExitCodes.BadInput, second.ExitCode);
            Assert.Contains($"(the --out folder): another process (pid {first.Id}", Assert.Single(second.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            Assert.DoesNotContain("TOUCHED", second.Err);
            first.StandardInput.WriteLine("go on");
            first.StandardInput.Flush();
            Assert.True(first.WaitForExit(600_000), "the first analysis did not finish");
            Assert.Equal(0, first.ExitCode);
        }
        Assert.Equal(0, CliRunner.Run("analyze", run, "--out", alone, "--config", seed0, "--quiet", "--no-report").ExitCode);

        var a = AnalysisStore.Open(shared);
        var b = AnalysisStore.Open(alone);
        Assert.Equal(Llc(b), Llc(a));
        Assert.Equal(b.Read<LlcTraceRow>().Count, a.Read<LlcTraceRow>().Count);
        Assert.Equal(b.Read<StageSummaryRow>().Count, a.Read<StageSummaryRow>().Count);
        Assert.Equal(AnalysisConfig.Load(Path.Combine(alone, "analysis.json")).Llc, AnalysisConfig.Load(Path.Combine(shared, "analysis.json")).Llc);
    }

    private static List<string> Llc(AnalysisStore store) => store.Read<LlcRow>().OrderBy(x => x.Step)
        .Select(x => (x with { ElapsedSeconds = 0 }).ToString() + string.Join(",", x.ChainEstimates.Select(v => v.ToString("R")))).ToList();

    private static void RunOnOtherThread(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        thread.Join();
        if (error is not null) throw error;
    }

    /// <summary>The test assembly run as a program (Program.cs), with its output readable and its input writable.</summary>
    internal static Process StartChild(params string[] args)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(AnalysisLockTests).Assembly.Location);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the child process");
    }
}
