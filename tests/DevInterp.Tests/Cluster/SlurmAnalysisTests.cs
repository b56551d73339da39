using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Cluster;
using DevInterp.Runs;
using DevInterp.Tests.Analysis;
using DevInterp.Tests.Cli;

namespace DevInterp.Tests.Cluster;

/// <summary>
/// Submission, status and resubmission over a scripted Slurm (<see cref="FakeSlurm"/>) and a real analysis store: what
/// is submitted, in which order and with which dependency, and which shards a resubmission queues.
/// </summary>
[Collection(GlobalTorchState.Name)]
public class SlurmAnalysisTests
{
    private static (SlurmJobSpec Spec, AnalysisConfig Config, string Run, string ConfigFile) Setup(int shards, int everyNth = 10)
    {
        var (run, _) = DemoRunCopy.EveryNth("dln", everyNth);
        string configFile = DemoRunCopy.QuickConfig(run, "dln", draws: 20, burnIn: 10);
        string folder = Path.Combine(TestPaths.NewTempDir(), "dln");
        var config = AnalysisConfig.Load(configFile) with { Name = "dln" };
        var spec = new SlurmJobSpec(folder, run, shards, ["/opt/devinterp"], [], TestPaths.NewTempDir(), new SlurmResources());
        return (spec, config, run, configFile);
    }

    [Fact]
    public void SubmitRecordsTheConfigWritesTheScriptsAndQueuesTheMergeAfterTheArray()
    {
        var (spec, config, _, _) = Setup(shards: 2);
        var slurm = new FakeSlurm();

        var result = new SlurmAnalysis(new SlurmClient(slurm)).Submit(spec, config, dryRun: false);

        Assert.Equal(2, slurm.Submissions.Count);
        Assert.Equal(["--parsable", "--array=0-1", SlurmPaths.ShardsScript(spec.Analysis)], slurm.Submissions[0]);
        Assert.Equal(["--parsable", "--dependency=afterok:100", SlurmPaths.MergeScript(spec.Analysis)], slurm.Submissions[1]);
        Assert.Equal(("100", "101"), (result.ShardsJob, result.MergeJob));
        Assert.Equal(config.Llc, AnalysisConfig.Load(Path.Combine(spec.Analysis, "analysis.json")).Llc);
        Assert.Equal(SlurmScripts.Shards(spec), File.ReadAllText(result.ShardsScript));
        Assert.True(Directory.Exists(SlurmPaths.Logs(spec.Analysis)));
        var round = Assert.Single(SlurmSubmission.Load(spec.Analysis).Rounds);
        Assert.Equal(("100", "101", "submit"), (round.ShardsJob, round.MergeJob, round.Kind));
        Assert.Equal([0, 1], round.Shards);
    }

    [Fact]
    public void ADryRunWritesTheScriptsAndRunsNoSlurmCommand()
    {
        var (spec, config, _, _) = Setup(shards: 3);
        var slurm = new FakeSlurm();
        var result = new SlurmAnalysis(new SlurmClient(slurm)).Submit(spec, config, dryRun: true);
        Assert.Empty(slurm.Calls);
        Assert.True(File.Exists(result.ShardsScript) && File.Exists(result.MergeScript));
        Assert.False(SlurmSubmission.Exists(spec.Analysis));
        Assert.Equal([$"array=$(sbatch --parsable --array=0-2 {result.ShardsScript})", $"sbatch --parsable --dependency=afterok:$array {result.MergeScript}"], result.Commands);
    }

    [Fact]
    public void BadShardCountsAndAnAnalysisWithoutLlcAreRefusedBeforeAnythingIsWritten()
    {
        var (spec, config, _, _) = Setup(shards: 5); // 4 checkpoints
        var analysis = new SlurmAnalysis(new SlurmClient(new FakeSlurm()));
        Assert.Contains("--shards 5 must be between 1 and the run's 4 checkpoints", Assert.Throws<ArgumentException>(() => analysis.Submit(spec, config, false)).Message);
        Assert.Contains("llc.enabled", Assert.Throws<ArgumentException>(() => analysis.Submit(spec with { Shards = 2 }, config with { Llc = config.Llc with { Enabled = false } }, false)).Message);
        Assert.False(Directory.Exists(spec.Analysis));
    }

    [Fact]
    public void ASecondSubmitIsRefusedWhileTheFirstIsStillQueued()
    {
        var (spec, config, _, _) = Setup(shards: 2);
        var slurm = new FakeSlurm();
        var analysis = new SlurmAnalysis(new SlurmClient(slurm));
        analysis.Submit(spec, config, false);
        slurm.Queue["100_0"] = "RUNNING|None";
        slurm.Queue["101"] = "PENDING|Dependency";
        var e = Assert.Throws<SlurmException>(() => analysis.Submit(spec, config, false));
        Assert.Contains("still queued or running (100_0, 101)", e.Message);
        slurm.Queue.Clear(); // ended: a new submission resumes the folder, with a new record (here of 3 shards)
        Assert.Equal("102", analysis.Submit(spec with { Shards = 3 }, config, false).ShardsJob);
        var record = SlurmSubmission.Load(spec.Analysis);
        Assert.Equal(3, record.ShardCount);
        Assert.Equal(["102_0", "102_1", "102_2"], Enumerable.Range(0, 3).Select(i => record.LatestFor(i)!.Value.TaskId));
    }

    [Fact]
    public void StatusTellsFinishedFromCancelledShardsAndABlockedMerge()
    {
        var (spec, config, run, configFile) = Setup(shards: 2);
        var slurm = new FakeSlurm { Accounting = [] };
        var analysis = new SlurmAnalysis(new SlurmClient(slurm));
        analysis.Submit(spec, config, false);
        RunShard(run, spec.Analysis, configFile, "0/2");
        slurm.Queue["101"] = "PENDING|DependencyNeverSatisfied";
        slurm.Accounting["100_0"] = "COMPLETED";
        slurm.Accounting["100_1"] = "CANCELLED by 0";

        var status = analysis.Status(spec.Analysis);

        Assert.Null(status.SlurmProblem);
        Assert.Equal((4, 2, 0), (status.Checkpoints, status.Done, status.FailedCheckpoints));
        Assert.Equal([(0, 2, 2, "100_0", ShardState.Finished), (1, 2, 0, "100_1", ShardState.Failed)],
            status.Shards.Select(s => (s.Shard, s.Checkpoints, s.Done, s.JobId, s.State)));
        Assert.Equal("sacct", status.Shards[1].Job!.Source);
        Assert.Equal(MergeState.Blocked, status.Merge);
        Assert.Equal([1], status.ToResubmit);
    }

    [Fact]
    public void ResubmitQueuesOnlyUnfinishedShardsReplacesTheBlockedMergeAndWaitsForShardsStillRunning()
    {
        var (spec, config, run, configFile) = Setup(shards: 3, everyNth: 7); // 6 checkpoints, 2 per shard
        var slurm = new FakeSlurm { Accounting = [] };
        var analysis = new SlurmAnalysis(new SlurmClient(slurm));
        analysis.Submit(spec, config, false);
        RunShard(run, spec.Analysis, configFile, "0/3");
        slurm.Queue["100_1"] = "RUNNING|None";
        slurm.Accounting["100_0"] = "COMPLETED";
        slurm.Accounting["100_2"] = "OUT_OF_MEMORY";
        slurm.Queue["101"] = "PENDING|DependencyNeverSatisfied";
        slurm.Calls.Clear();

        var dry = analysis.Resubmit(spec.Analysis, dryRun: true);
        Assert.DoesNotContain(slurm.Calls, c => c.Program is "sbatch" or "scancel");
        Assert.Equal(["scancel 101", $"array=$(sbatch --parsable --array=2 {dry.ShardsScript})", $"sbatch --parsable --dependency=afterok:$array:100_1 {dry.MergeScript}"], dry.Commands);

        var result = analysis.Resubmit(spec.Analysis, dryRun: false);

        Assert.Equal([2], result.Shards);
        Assert.Equal(["101"], result.CancelledJobs);
        Assert.Contains(slurm.Calls, c => c.Program == "scancel" && c.Args.SequenceEqual(["101"]));
        Assert.Equal(["--parsable", "--array=2", SlurmPaths.ShardsScript(spec.Analysis)], slurm.Submissions[0]);
        Assert.Equal(["--parsable", "--dependency=afterok:102:100_1", SlurmPaths.MergeScript(spec.Analysis)], slurm.Submissions[1]);
        var latest = SlurmSubmission.Load(spec.Analysis);
        Assert.Equal(("102", "103", "resubmit"), (latest.Rounds[^1].ShardsJob, latest.Rounds[^1].MergeJob, latest.Rounds[^1].Kind));
        Assert.Equal("102_2", latest.LatestFor(2)!.Value.TaskId);
        Assert.Equal("100_1", latest.LatestFor(1)!.Value.TaskId);
    }

    [Fact]
    public void WithEveryShardFinishedAResubmitQueuesTheMergeAloneAndWithEverythingQueuedNothing()
    {
        var (spec, config, run, configFile) = Setup(shards: 2);
        var slurm = new FakeSlurm { Accounting = [] };
        var analysis = new SlurmAnalysis(new SlurmClient(slurm));
        analysis.Submit(spec, config, false);
        slurm.Queue["100_0"] = "PENDING|Resources";
        slurm.Queue["100_1"] = "PENDING|Resources";
        slurm.Queue["101"] = "PENDING|Dependency";
        Assert.Contains("nothing to resubmit", analysis.Resubmit(spec.Analysis, false).Note);

        slurm.Queue.Clear();
        RunShard(run, spec.Analysis, configFile, "0/2");
        RunShard(run, spec.Analysis, configFile, "1/2");
        slurm.Accounting["101"] = "FAILED"; // the merge ran out of time, say
        slurm.Calls.Clear();
        var result = analysis.Resubmit(spec.Analysis, false);
        Assert.Empty(result.Shards);
        Assert.Null(result.ShardsJob);
        Assert.Equal(["--parsable", SlurmPaths.MergeScript(spec.Analysis)], Assert.Single(slurm.Submissions));
    }

    [Fact]
    public void WithoutSlurmStatusComesFromTheStoreAndResubmitRefusesToGuess()
    {
        var (spec, config, run, configFile) = Setup(shards: 2);
        var slurm = new FakeSlurm();
        var analysis = new SlurmAnalysis(new SlurmClient(slurm));
        analysis.Submit(spec, config, false);
        RunShard(run, spec.Analysis, configFile, "1/2");
        slurm.Missing.Add("squeue");

        var status = analysis.Status(spec.Analysis);

        Assert.Equal("squeue is not on the PATH", status.SlurmProblem);
        Assert.Equal([ShardState.Unfinished, ShardState.Finished], status.Shards.Select(s => s.State));
        Assert.Contains("cannot tell which shards still run", Assert.Throws<SlurmException>(() => analysis.Resubmit(spec.Analysis, false)).Message);
    }

    [Fact]
    public void StatusAndResubmitOfAFolderNeverSubmittedSayHowToSubmit()
    {
        string folder = TestPaths.NewTempDir();
        var e = Assert.Throws<RunFormatException>(() => new SlurmAnalysis(new SlurmClient(new FakeSlurm())).Status(folder));
        Assert.Contains("was not submitted with 'devinterp slurm submit'", e.Message);
    }

    private static void RunShard(string run, string folder, string config, string shard)
    {
        var r = CliRunner.Run("analyze", run, "--out", folder, "--config", config, "--shard", shard, "--no-merge", "--quiet");
        Assert.True(r.ExitCode == ExitCodes.Success, r.Err);
    }
}
