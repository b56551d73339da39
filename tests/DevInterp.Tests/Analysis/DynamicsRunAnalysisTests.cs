using DevInterp.Activations;
using DevInterp.Analysis;
using DevInterp.Dynamics;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tasks;

namespace DevInterp.Tests.Analysis;

/// <summary>Essential dynamics over copies of the shipped runs: the tables, their values, the shared cache, resumption, failures.</summary>
public class DynamicsRunAnalysisTests
{
    [Fact]
    public void TablesEqualEssentialDynamicsOfTheStreamedOutputs()
    {
        string runDir = DemoRunCopy.Make("tms");
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), runDir,
            c => c with { Similarity = c.Similarity with { ProbeCount = 64, ProbeSeed = 2 } });

        var result = DynamicsRunAnalysis.Run(config, run, store);

        // Independently: the same draw of the task's inputs, every checkpoint's outputs streamed into a trajectory.
        using var task = TaskSpec.Parse(run.Manifest!.Task!).LoadTraining();
        using var probe = ProbeBatch.Sample(task.Inputs, 64, 2);
        var trajectory = new OutputTrajectory();
        RunActivations.Stream(run, probe, null, (step, outputs) => trajectory.Add(step, outputs));
        var expected = EssentialDynamics.Analyze(trajectory.Steps, trajectory.ToMatrix(), DynamicsRunAnalysis.Options(config.Dynamics));

        Assert.Equal(40, result.Steps.Count);
        Assert.Equal(expected.Steps, result.Steps);
        var variance = store.Read<DynamicsVarianceRow>();
        Assert.Equal(3, variance.Count);
        for (int k = 0; k < 3; k++) Assert.Equal(expected.Pca.ExplainedVarianceRatio[k], variance[k].ExplainedVarianceRatio, 10);
        Assert.True(variance.Sum(v => v.ExplainedVarianceRatio) <= 1 + 1e-12);
        var coordinates = store.Read<DynamicsCoordinateRow>();
        Assert.Equal(2 * 40 * 3, coordinates.Count);
        foreach (var row in coordinates)
        {
            int i = expected.Steps.ToList().IndexOf(row.Step);
            int k = row.Component - 1; // components are numbered from 1 in the table
            double want = row.Kind == TrajectoryKind.Raw ? expected.Pca.Scores[i, k] : expected.Smoothed[i, k];
            Assert.Equal(want, row.Value, 9);
        }
        var curvature = store.Read<DynamicsCurvatureRow>();
        Assert.Equal(expected.Curvature.Select(c => c.Step), curvature.Select(c => c.Step));
        Assert.Equal(expected.Transitions.Select(t => t.Step), curvature.Where(c => c.Flagged).Select(c => c.Step));
    }

    [Fact]
    public void UsesTheActivationsSimilarityAlreadyCaptured()
    {
        string folder = AnalysisFixtures.NewAnalysisFolder();
        var (config, run, store) = AnalysisFixtures.Open(folder, DemoRunCopy.Make("dln"));
        SimilarityRunAnalysis.Run(config, run, store);

        var result = DynamicsRunAnalysis.Run(config, run, store);

        Assert.Equal((0, 40), (result.Cache.Captured, result.Cache.Reused));
        Assert.Equal(40, result.Steps.Count);
    }

    [Fact]
    public void CancelledThenRerunGivesTheSameTablesAsOneRun()
    {
        string runDir = DemoRunCopy.Make("tms");
        var (config, run, whole) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), runDir);
        DynamicsRunAnalysis.Run(config, run, whole);

        string resumedDir = AnalysisFixtures.NewAnalysisFolder();
        var (config2, run2, resumed) = AnalysisFixtures.Open(resumedDir, runDir);
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress(p => { if (p.Step == 107) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => DynamicsRunAnalysis.Run(config2, run2, resumed, progress, cancel.Token));
        Assert.Equal(TableState.Absent, resumed.State("essential_dynamics"));

        var again = DynamicsRunAnalysis.Run(config2, run2, resumed);

        Assert.Equal(23, again.Cache.Reused); // steps 0 … 107 were cached before the cancellation
        Assert.Equal(17, again.Cache.Captured);
        Assert.Equal(AnalysisStoreDump.ToJson(whole), AnalysisStoreDump.ToJson(AnalysisStore.Open(resumedDir)));
    }

    [Fact]
    public void ACorruptCheckpointIsRecordedAndLeftOutOfTheTrajectory()
    {
        string runDir = DemoRunCopy.Make("tms");
        File.WriteAllText(Path.Combine(runDir, "step_000902.safetensors"), "not a checkpoint");
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), runDir);

        var result = DynamicsRunAnalysis.Run(config, run, store);

        var (step, error) = Assert.Single(result.Failed);
        Assert.Equal(902, step);
        Assert.Contains("step_000902.safetensors", error);
        Assert.Equal(39, result.Steps.Count);
        Assert.DoesNotContain(902L, store.Read<DynamicsCoordinateRow>().Select(r => r.Step));
        Assert.Equal(CheckpointStatus.Failed, store.Read<CheckpointRow>().Single(c => c.Step == 902).Status);
    }

    [Fact]
    public void FewerThanThreeUsableCheckpointsIsAnErrorSayingWhy()
    {
        var (config, run, store) = AnalysisFixtures.Open(AnalysisFixtures.NewAnalysisFolder(), DemoRunCopy.Make("tms", 0, 4000));
        var e = Assert.Throws<ArgumentException>(() => DynamicsRunAnalysis.Run(config, run, store));
        Assert.Contains("at least 3 usable checkpoints", e.Message);
        Assert.Contains("2 could be used", e.Message);
    }

    [Theory]
    [InlineData(1, 1.0, "index", "dynamics.components: expected at least 2")]
    [InlineData(3, -1.0, "index", "dynamics.smoothing_sigma: expected a finite number ≥ 0, got -1")]
    [InlineData(3, 1.0, "time", "dynamics.smoothing_axis: 'time' is not one of index, log_step")]
    public void BadSettingsNameTheSetting(int components, double sigma, string axis, string message)
    {
        var e = Assert.Throws<SettingsException>(() => DynamicsRunAnalysis.Options(new DynamicsSettings(true, components, sigma, axis)));
        Assert.Contains(message, e.Message);
    }

    private sealed class InlineProgress(Action<AnalysisProgress> report) : IProgress<AnalysisProgress>
    {
        public void Report(AnalysisProgress value) => report(value);
    }
}
