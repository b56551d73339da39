using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace DevInterp.Tests.Cluster;

/// <summary>
/// <c>devinterp slurm</c> against a real Slurm (one node on this machine, <see cref="LocalSlurmCluster"/>): a two-shard
/// submission and a cancelled-then-resubmitted shard both give, table for table and value for value, what one
/// <c>devinterp analyze</c> process gives, and no finished checkpoint is estimated twice. Runs in .ci/slurm-check;
/// elsewhere (or where Slurm cannot be started) each test is skipped with the reason.
/// </summary>
[Collection(GlobalTorchState.Name)]
[Trait("Category", "Slurm")]
public partial class SlurmClusterTests(SlurmTestBed bed, ITestOutputHelper log) : IClassFixture<SlurmTestBed>
{
    private static readonly TimeSpan JobLimit = TimeSpan.FromMinutes(8);

    [GeneratedRegex(@"llc: (\d+) estimated, (\d+) already done")]
    private static partial Regex LlcLine();

    [SkippableFact]
    public void TwoShardsOnSlurmGiveTheTablesOfOneProcess()
    {
        Skip.If(bed.Problem is not null, bed.Problem);
        var (reference, single) = bed.Reference;
        log.WriteLine($"single process: devinterp analyze {bed.Run} --out {reference} --config {bed.Config}: {single.TotalSeconds:F1} s");
        string folder = Path.Combine(TestPaths.NewTempDir("devinterp-slurm"), "dln");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var submit = bed.CliJson("slurm", "submit", bed.Run, "--out", folder, "--shards", "2", "--config", bed.Config,
            "--devinterp", SlurmTestBed.Devinterp, "--time", "15", "--json");
        string shardsJob = submit["shards_job"]!.GetValue<string>(), mergeJob = submit["merge_job"]!.GetValue<string>();
        log.WriteLine($"devinterp slurm submit {bed.Run} --out {folder} --shards 2 --config {bed.Config} --time 15 --json");
        foreach (var c in submit["commands"]!.AsArray()) log.WriteLine($"  {c}");
        log.WriteLine($"  shards job {shardsJob}, merge job {mergeJob}");
        bed.WaitForJobs([shardsJob, mergeJob], JobLimit);
        log.WriteLine($"two shards + merge on Slurm, submit to merge done: {clock.Elapsed.TotalSeconds:F1} s");

        var status = bed.CliJson("slurm", "status", folder, "--json");
        log.WriteLine($"status: {status.ToJsonString()}");
        Assert.Equal("complete", status["merge"]!["state"]!.GetValue<string>());
        Assert.All(status["shards"]!.AsArray(), s => Assert.Equal("finished", s!["state"]!.GetValue<string>()));
        Assert.All(status["shards"]!.AsArray(), s => Assert.Equal("COMPLETED", s!["slurm_state"]!.GetValue<string>()));
        Assert.Equal("COMPLETED", status["merge"]!["slurm_state"]!.GetValue<string>());

        // Each shard estimated its own checkpoints (every other one) and wrote only its own part files; the merge none.
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal((bed.Steps.Length + 1 - i) / 2, Estimated(Log(folder, $"shard-{shardsJob}_{i}.out")).Estimated);
            var mine = bed.Steps.Where((_, index) => index % 2 == i).ToHashSet();
            foreach (string table in new[] { "llc", "llc_traces", "checkpoints" })
                Assert.All(PartSteps(folder, table, $"shard{i}of2"), step => Assert.Contains(step, mine));
        }
        Assert.Equal((0, bed.Steps.Length), Estimated(Log(folder, $"merge-{mergeJob}.out")));

        string? difference = TableImage.Difference(reference, folder);
        log.WriteLine($"tables (rows): {TableImage.Summary(folder)}; against the single process: {difference ?? "every table equal"}");
        Assert.True(difference is null, difference);
    }

    [SkippableFact]
    public void ACancelledShardResubmittedResumesAndTheTablesStillEqualOneProcess()
    {
        Skip.If(bed.Problem is not null, bed.Problem);
        string reference = bed.Reference.Folder;
        string folder = Path.Combine(TestPaths.NewTempDir("devinterp-slurm"), "dln");
        var submit = bed.CliJson("slurm", "submit", bed.Run, "--out", folder, "--shards", "2", "--config", bed.Config,
            "--devinterp", SlurmTestBed.Devinterp, "--json");
        string shardsJob = submit["shards_job"]!.GetValue<string>(), mergeJob = submit["merge_job"]!.GetValue<string>();
        log.WriteLine($"devinterp slurm submit {bed.Run} --out {folder} --shards 2 --config {bed.Config} --json: shards job {shardsJob}, merge job {mergeJob}");

        // Cancel shard 1 once it has finished its first checkpoint, before its last.
        int shardCheckpoints = bed.Steps.Length / 2;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (PartSteps(folder, "llc", "shard1of2").Count == 0)
        {
            Assert.True(clock.Elapsed < JobLimit, "shard 1 finished no checkpoint in time");
            Thread.Sleep(100);
        }
        var (code, output) = bed.Cluster.Client("scancel", $"{shardsJob}_1");
        Assert.True(code == 0, output);
        log.WriteLine($"scancel {shardsJob}_1 after {PartSteps(folder, "llc", "shard1of2").Count} of its {shardCheckpoints} checkpoints");
        bed.WaitForJobs([$"{shardsJob}_1"], JobLimit);
        var finishedBefore = PartFiles(folder, "llc", "shard1of2");
        Assert.True(finishedBefore.Count < shardCheckpoints,
            $"shard 1 finished all {shardCheckpoints} checkpoints before it was cancelled: the chains are too short to test a cancellation");

        var status = bed.CliJson("slurm", "status", folder, "--json");
        log.WriteLine($"status after scancel: {status.ToJsonString()}");
        var shard1 = status["shards"]!.AsArray()[1]!;
        Assert.Equal("failed", shard1["state"]!.GetValue<string>());
        Assert.Equal("CANCELLED", shard1["slurm_state"]!.GetValue<string>());
        Assert.Equal(finishedBefore.Count, shard1["done"]!.GetValue<int>());

        var resubmit = bed.CliJson("slurm", "resubmit", folder, "--json");
        log.WriteLine($"devinterp slurm resubmit {folder} --json: {resubmit.ToJsonString()}");
        Assert.Equal([1], resubmit["shards"]!.AsArray().Select(s => s!.GetValue<int>()));
        Assert.Equal([mergeJob], resubmit["cancelled_jobs"]!.AsArray().Select(s => s!.GetValue<string>()));
        string newShards = resubmit["shards_job"]!.GetValue<string>(), newMerge = resubmit["merge_job"]!.GetValue<string>();
        bed.WaitForJobs([shardsJob, newShards, newMerge], JobLimit);

        var final = bed.CliJson("slurm", "status", folder, "--json");
        log.WriteLine($"status at the end: {final.ToJsonString()}");
        Assert.Equal("complete", final["merge"]!["state"]!.GetValue<string>());

        // No finished checkpoint was estimated again: its part files are untouched, every step has one llc part, the
        // resubmitted shard reports the cancelled one's checkpoints as already done, and the merge estimated nothing.
        var after = PartFiles(folder, "llc", "shard1of2");
        foreach (var (file, stamp) in finishedBefore) Assert.Equal(stamp, after[file]);
        Assert.Equal(bed.Steps.Length, Directory.GetFiles(Path.Combine(folder, "parts", "llc"), "*.arrow").Length);
        Assert.Equal(bed.Steps.ToHashSet(), PartSteps(folder, "llc", "shard0of2").Concat(PartSteps(folder, "llc", "shard1of2")).ToHashSet());
        var resumed = Estimated(Log(folder, $"shard-{newShards}_1.out"));
        log.WriteLine($"resubmitted shard 1: {resumed.Estimated} estimated, {resumed.AlreadyDone} already done");
        Assert.Equal((shardCheckpoints - finishedBefore.Count, finishedBefore.Count), resumed);
        Assert.Equal((0, bed.Steps.Length), Estimated(Log(folder, $"merge-{newMerge}.out")));

        string? difference = TableImage.Difference(reference, folder);
        log.WriteLine($"against the single process: {difference ?? "every table equal"}");
        Assert.True(difference is null, difference);
    }

    private static string Log(string folder, string name)
    {
        string path = Path.Combine(folder, "slurm", "logs", name);
        Assert.True(File.Exists(path), $"no job log {path}");
        return File.ReadAllText(path);
    }

    private static (int Estimated, int AlreadyDone) Estimated(string jobLog)
    {
        var m = LlcLine().Match(jobLog);
        Assert.True(m.Success, $"no 'llc: N estimated, M already done' line in the job log: {jobLog}");
        return (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, (long Ticks, long Size)> PartFiles(string folder, string table, string shard)
    {
        string dir = Path.Combine(folder, "parts", table);
        return !Directory.Exists(dir) ? [] : new DirectoryInfo(dir).GetFiles($"*@{shard}.arrow")
            .ToDictionary(f => f.Name, f => (f.LastWriteTimeUtc.Ticks, f.Length));
    }

    private static HashSet<long> PartSteps(string folder, string table, string shard) =>
        PartFiles(folder, table, shard).Keys.Select(name => long.Parse(name["step-".Length..name.IndexOf('@')], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
}
