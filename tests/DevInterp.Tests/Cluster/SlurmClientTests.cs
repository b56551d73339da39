using DevInterp.Cluster;

namespace DevInterp.Tests.Cluster;

/// <summary>The Slurm commands' outputs (in their real formats) are read right, and their failures are one-line errors.</summary>
public class SlurmClientTests
{
    private sealed class Answers(Func<string, IReadOnlyList<string>, ProcessResult> answer) : IProcessRunner
    {
        public ProcessResult Run(string program, IReadOnlyList<string> arguments) => answer(program, arguments);
    }

    [Fact]
    public void SbatchParsableGivesTheJobIdAlsoOnAFederatedCluster()
    {
        Assert.Equal("4242", new SlurmClient(new Answers((_, _) => new ProcessResult(0, "4242;cluster-a\n", ""))).Submit(["x.sbatch"]));
        Assert.Equal("17", new SlurmClient(new Answers((_, _) => new ProcessResult(0, "17\n", ""))).Submit(["x.sbatch"]));
    }

    [Fact]
    public void SbatchFailuresQuoteSlurmsErrorAndAMissingSbatchSaysWhereToRun()
    {
        var refused = new SlurmClient(new Answers((_, _) => new ProcessResult(1, "", "sbatch: error: invalid partition specified: gpu\nsbatch: error: Batch job submission failed\n")));
        var e = Assert.Throws<SlurmException>(() => refused.Submit(["--partition=gpu", "x.sbatch"]));
        Assert.Equal("sbatch --partition=gpu x.sbatch failed (exit 1): sbatch: error: invalid partition specified: gpu", e.Message);
        var missing = new SlurmClient(new Answers((p, _) => new ProcessResult(127, "", p, NotFound: true)));
        Assert.Contains("--dry-run", Assert.Throws<SlurmException>(() => missing.Submit(["x.sbatch"])).Message);
        var garbage = new SlurmClient(new Answers((_, _) => new ProcessResult(0, "Submitted batch job 5\n", "")));
        Assert.Contains("not a job id", Assert.Throws<SlurmException>(() => garbage.Submit(["x.sbatch"])).Message);
    }

    [Fact]
    public void SqueueLinesBecomeStatesAndAForgottenJobHasEnded()
    {
        var runner = new Answers((_, args) => args.Contains("--jobs=7")
            ? new ProcessResult(0, "7_0|RUNNING|None\n7_[1-2,4%2]|PENDING|Resources\n", "")
            : new ProcessResult(1, "", "slurm_load_jobs error: Invalid job id specified\n"));
        var answer = new SlurmClient(runner).Queue(["7", "8"]);
        Assert.True(answer.Answered);
        Assert.Equal(["7_0", "7_1", "7_2", "7_4"], answer.Jobs.Keys.Order());
        Assert.True(answer.Jobs["7_0"].IsRunning);
        Assert.Null(answer.Jobs["7_0"].Reason);
        Assert.Equal(new SlurmJobState("7_4", "PENDING", "Resources", "squeue"), answer.Jobs["7_4"]);
        Assert.False(answer.Jobs.ContainsKey("8")); // invalid: no longer held, so ended

        var down = new SlurmClient(new Answers((_, _) => new ProcessResult(1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n"))).Queue(["7"]);
        Assert.False(down.Answered);
        Assert.Contains("Unable to contact slurm controller", down.Problem);
    }

    [Fact]
    public void SacctStatesAreTheirFirstWordAndDisabledAccountingIsNoAnswer()
    {
        var answer = new SlurmClient(new Answers((_, _) => new ProcessResult(0, "7_0|COMPLETED\n7_1|CANCELLED by 0\n8|TIMEOUT\n", ""))).Accounting(["7", "8"]);
        Assert.Equal("CANCELLED", answer.Jobs["7_1"].State);
        Assert.Equal("TIMEOUT", answer.Jobs["8"].State);
        Assert.False(answer.Jobs["8"].IsActive);
        var disabled = new SlurmClient(new Answers((_, _) => new ProcessResult(1, "", "Slurm accounting storage is disabled\n"))).Accounting(["7"]);
        Assert.Equal("sacct: Slurm accounting storage is disabled", disabled.Problem);
    }

    [Fact]
    public void PendingOnADependencyThatCanNeverBeMetIsBlocked()
    {
        Assert.True(new SlurmJobState("9", "PENDING", "DependencyNeverSatisfied", "squeue").IsBlocked);
        Assert.False(new SlurmJobState("9", "PENDING", "Dependency", "squeue").IsBlocked);
        Assert.Equal("PENDING (Dependency)", new SlurmJobState("9", "PENDING", "Dependency", "squeue").ToString());
    }
}
