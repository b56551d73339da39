using DevInterp.Dynamics;
using DevInterp.Llc;
using DevInterp.Numerics;
using DevInterp.Stages;
using DevInterp.Stages.Table;
using DevInterp.Storage;

namespace DevInterp.Tests.Storage;

public class StoreRowConversionTests
{
    private static LlcResult Result()
    {
        // Two chains, two draws; chain 1 dropped (NaN estimate). λ_t = nβ(L − L* − cv) with nβ = 10.
        double[][] loss = [[1.0, 1.5], [2.0, double.NaN]];
        double[][] center = [[0.5, 0.5], [0.5, 0.5]];
        double[][] cv = [[0.0, 0.25], [0.0, 0.0]];
        var diagnostics = new LlcDiagnostics(double.NaN, 3.5, 2.5, 0.01, 0.0, [new DroppedChain(1, 1, "non-finite loss")],
            LlcVerdict.Untrusted, ["1 of 2 chains diverged", "fewer than 2 healthy chains"]);
        return new LlcResult(6.25, double.NaN, [6.25, double.NaN], 0.5, 10, 1e-3, "given", 100, 1000, 12, 1000,
            loss, center, cv, diagnostics, new LlcOptions(Chains: 2, Draws: 2, Seed: 42, Sampler: SamplerKind.Sgnht));
    }

    [Fact]
    public void AnLlcResultBecomesOneSummaryRowAndOneTraceRowPerDraw()
    {
        var row = LlcRow.From(300, Result(), elapsedSeconds: 1.5);
        Assert.Equal((300L, 6.25, 2, 2, 1), (row.Step, row.Mean, row.Chains, row.Draws, row.DroppedChains));
        Assert.Equal([6.25, double.NaN], row.ChainEstimates);
        Assert.Equal("1 of 2 chains diverged; fewer than 2 healthy chains", row.Reasons);
        Assert.Equal((SamplerKind.Sgnht, 42L, LlcVerdict.Untrusted), (row.Sampler, row.Seed, row.Verdict));

        var traces = LlcTraceRow.From(300, Result());
        Assert.Equal([5.0, 7.5, 15.0, double.NaN], traces.Select(t => t.Lambda)); // 10·(1 − .5), 10·(1.5 − .5 − .25), 10·(2 − .5)
        Assert.Equal(row.ChainEstimates[0], traces.Where(t => t.Chain == 0).Average(t => t.Lambda)); // a chain's mean λ is its estimate

        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        store.Write(PartKey.ForStep(300), [row]);
        store.Write(PartKey.ForStep(300), traces);
        Assert.Equal(traces, store.Read<LlcTraceRow>());
    }

    [Fact]
    public void OnlyTheChosenPointOfTheBaseSweepIsMarkedChosen()
    {
        CalibrationPoint P(double eps, double nBeta) => new(eps, nBeta, 100, 50, 1, 1.01, 0.01, LlcVerdict.Trusted, false, true, true);
        var result = new CalibrationResult([P(1e-4, 10), P(1e-3, 10), P(1e-3, 20)], 1e-3, "largest stable", true);
        var rows = CalibrationRow.From(7, result, nBeta: 10, localization: 100);
        Assert.Equal([false, true, false], rows.Select(r => r.Chosen));
    }

    [Fact]
    public void EssentialDynamicsAndStagesConvert()
    {
        var pca = new TrajectoryPcaResult([4.0, 1.0], [0.75, 0.1875], 5.333, ReadOnlyMatrix.From(new double[,] { { -2, 1 }, { 0, -2 }, { 2, 1 } }),
            ReadOnlyMatrix.From(new double[,] { { 1, 0 }, { 0, 1 } }), [0.0, 0.0]);
        var smoothed = ReadOnlyMatrix.From(new double[,] { { -1.5, 0.5 }, { 0, -1 }, { 1.5, 0.5 } });
        var curvature = new CurvaturePoint(1, 10, 0.5, 90, 0, 1);
        var result = new EssentialDynamicsResult([0, 10, 20], pca, smoothed, [curvature],
            [new TransitionCandidate(1, 10, 0.5, 90, TransitionKind.CurvaturePeak | TransitionKind.DirectionReversal)]);

        var coordinates = DynamicsCoordinateRow.From(result);
        Assert.Equal(12, coordinates.Count);
        Assert.Equal(-2.0, coordinates.Single(c => c.Kind == TrajectoryKind.Raw && c.Step == 0 && c.Component == 1).Value);
        Assert.Equal(-1.0, coordinates.Single(c => c.Kind == TrajectoryKind.Smoothed && c.Step == 10 && c.Component == 2).Value);
        Assert.Equal([new DynamicsVarianceRow(1, 4.0, 0.75), new DynamicsVarianceRow(2, 1.0, 0.1875)], DynamicsVarianceRow.From(result));
        var c = Assert.Single(DynamicsCurvatureRow.From(result));
        Assert.Equal(new DynamicsCurvatureRow(10, 0.5, 90, 2.0, 0, 1, true, "curvature_peak,direction_reversal"), c);

        var stage = StageSummaryRow.From(new StageRow(1, 10, 20, StageTrend.Falling, -3.5, null, ["llc", "loss"], 0.5));
        Assert.Equal((1, StageTrend.Falling, 0.5), (stage.Stage, stage.LlcTrend!.Value, stage.Confidence!.Value));
        Assert.Equal(["llc", "loss"], stage.Signals);
    }

    [Fact]
    public void NamesBecomeSnakeCase()
    {
        Assert.Equal("test_acc", SnakeCase.From("test/acc"));
        Assert.Equal("train_loss", SnakeCase.From("trainLoss"));
        Assert.Equal("accuracy_1", SnakeCase.From("Accuracy@1"));
        Assert.Equal("rmsprop_sgld", StoreEnums.Format(SamplerKind.RmspropSgld));
        Assert.Equal(SamplerKind.RmspropSgld, StoreEnums.TryParse<SamplerKind>("rmsprop_sgld"));
        Assert.Throws<ArgumentException>(() => SnakeCase.From("//"));
        Assert.False(SnakeCase.IsValid("Step"));
        Assert.True(SnakeCase.IsValid("step_a"));
    }
}
