using System.Diagnostics;
using System.Text.Json;
using DevInterp.Storage;
using Xunit.Abstractions;

namespace DevInterp.Tests.Storage;

public class StoreCrashTests(ITestOutputHelper output)
{
    private static string TempName(string target, string host, int pid) => $".{target}~{host}~{pid}~0123456789abcdef.tmp";

    private static string Host => AtomicFile.Host;

    private const int DeadPid = 99_999_999; // above Linux's pid_max (2^22): never a running process

    [Fact]
    public void ALeftoverTempFileIsIgnoredByReadersAndCleanedOnOpen()
    {
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        store.Write(PartKey.ForStep(100), [StoreSamples.Llc[1]]);
        string parts = store.PartsFolder("llc");

        // What kill -9 during a write leaves behind: a half-written temp file of a dead process.
        string dead = Path.Combine(parts, TempName("step-000000010000.arrow", Host, DeadPid));
        File.WriteAllBytes(dead, "ARROW1\0\0garbage, cut off mid-write"u8.ToArray());
        // A temp file of a live writer (this process) and a recent one from another machine must survive cleaning.
        string live = Path.Combine(parts, TempName("step-000000020000.arrow", Host, Environment.ProcessId));
        string foreignRecent = Path.Combine(parts, TempName("step-000000030000.arrow", "other-machine", 42));
        string foreignOld = Path.Combine(parts, TempName("step-000000040000.arrow", "other-machine", 43));
        foreach (var f in new[] { live, foreignRecent, foreignOld }) File.WriteAllBytes(f, [1, 2, 3]);
        File.SetLastWriteTimeUtc(foreignOld, DateTime.UtcNow - AtomicFile.ForeignTempAge - TimeSpan.FromMinutes(1));

        Assert.Equal([PartKey.ForStep(100)], store.Parts("llc").Select(p => p.Key));
        Assert.False(store.HasPart("llc", PartKey.ForStep(10000)));
        Assert.Equal([100L], store.Read<LlcRow>().Select(r => r.Step));
        var consolidated = store.Consolidate("llc"); // consolidation cleans too, and merges only finished parts
        Assert.Equal(1, consolidated.Rows);

        File.WriteAllBytes(dead, [1, 2, 3]);
        AnalysisStore.Open(dir);
        Assert.False(File.Exists(dead));
        Assert.False(File.Exists(foreignOld));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(foreignRecent));
    }

    [Fact]
    public void AWriterThatFailsMidWriteLeavesTheOldFileAndNoTempFile()
    {
        string dir = TestPaths.NewTempDir();
        string target = Path.Combine(dir, "report.html");
        AtomicFile.WriteAllText(target, "old report");
        Assert.Throws<IOException>(() => AtomicFile.Write(target, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("old report", File.ReadAllText(target));
        Assert.Equal(["report.html"], Directory.EnumerateFiles(dir).Select(Path.GetFileName));

        string fresh = Path.Combine(dir, "sub", "analysis.json");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(fresh, _ => throw new InvalidOperationException("boom")));
        Assert.False(File.Exists(fresh));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dir, "sub")));
    }

    [Fact]
    public void APartWhoseRowsFailHalfwayIsNotWrittenAndTheOldVersionStays()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        string key = PartKey.ForStep(7);
        store.Write(key, StoreCrashProbe.Rows(7).Take(10));
        IEnumerable<LlcTraceRow> Failing()
        {
            foreach (var r in StoreCrashProbe.Rows(7).Take(100)) yield return r;
            throw new InvalidOperationException("sampler diverged (simulated)");
        }
        Assert.Throws<InvalidOperationException>(() => store.Write(key, Failing()));
        Assert.Equal(10, store.ReadPart<LlcTraceRow>(key).Count);
        Assert.Single(Directory.EnumerateFiles(store.PartsFolder("llc_traces")));
    }

    [Fact]
    public void ATruncatedFileIsReportedByNameNotMisread()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        var part = store.Write(PartKey.ForStep(1), StoreCrashProbe.Rows(1).Take(1000));
        byte[] bytes = File.ReadAllBytes(part.Path);
        File.WriteAllBytes(part.Path, bytes[..(bytes.Length / 2)]); // what a non-atomic copy cut short would leave
        var e = Assert.Throws<AnalysisStoreException>(() => store.Read<LlcTraceRow>());
        Assert.Contains(part.Path, e.Message);
        Assert.Contains("not a complete Arrow IPC file", e.Message);
    }

    [Fact]
    public void KillNineLosesAtMostTheUnitInFlightAndARerunResumes()
    {
        string dir = TestPaths.NewTempDir();
        string testDll = typeof(StoreCrashProbe).Assembly.Location;
        int leftovers = 0;
        int killedAfter = 0; // parts seen just before the last kill
        for (int round = 0; round < 3; round++)
        {
            using var probe = StartProbe(testDll, dir, 10_000);
            var random = new Random(round);
            int target = AnalysisStore.Open(dir).Parts("llc_traces").Count + 2;
            var guard = Stopwatch.StartNew();
            int written;
            while ((written = AnalysisStore.Open(dir).Parts("llc_traces").Count) < target)
            {
                if (probe.HasExited) Assert.Fail($"the probe exited early: {probe.StandardError.ReadToEnd()}");
                Assert.True(guard.Elapsed < TimeSpan.FromMinutes(2), $"hang guard: the probe writes too slowly (round {round}, {written} parts of {target})");
                Thread.Sleep(5);
            }
            Thread.Sleep(random.Next(0, 40)); // land somewhere inside the next unit
            probe.Kill(); // SIGKILL on Unix
            probe.WaitForExit();
            killedAfter = written;

            leftovers += Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Count(AtomicFile.IsTempFile);
            // Every visible part is complete, and analysis.json is whole.
            var store = AnalysisStore.Open(dir);
            Assert.DoesNotContain(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories), AtomicFile.IsTempFile);
            foreach (var part in store.Parts("llc_traces"))
            {
                long step = long.Parse(part.Key["step-".Length..]);
                Assert.Equal(StoreCrashProbe.Rows(step).ToList(), store.ReadPart<LlcTraceRow>(part.Key));
            }
            using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "analysis.json"))))
                Assert.True(summary.RootElement.GetProperty("end").GetBoolean());
        }

        // A rerun skips the stored units and fills in from the first missing one: keys are contiguous from 0.
        var before = AnalysisStore.Open(dir).Parts("llc_traces").Count;
        using (var rerun = StartProbe(testDll, dir, before + 2))
        {
            string stdout = rerun.StandardOutput.ReadToEnd();
            Assert.True(rerun.WaitForExit(120_000), "hang guard");
            Assert.Equal(0, rerun.ExitCode);
            Assert.Equal(2, stdout.Split('\n').Count(l => l.StartsWith("wrote ", StringComparison.Ordinal)));
        }
        var final = AnalysisStore.Open(dir);
        Assert.Equal(Enumerable.Range(0, before + 2).Select(i => PartKey.ForStep(i)), final.Parts("llc_traces").Select(p => p.Key));
        Assert.Equal((before + 2) * StoreCrashProbe.RowsPerPart, final.Read<LlcTraceRow>().Count);
        output.WriteLine($"3 kills; {killedAfter} parts seen before the last one, {before} survived it; {leftovers} half-written temp files found and cleaned");
    }

    private static Process StartProbe(string testDll, string dir, int limit)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "exec", testDll, "store-crash-probe", dir, limit.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the probe");
    }
}
