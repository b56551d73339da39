using DevInterp.Storage;
using Microsoft.Data.Analysis;
using Microsoft.ML.Data;

namespace DevInterp.Tests.Storage;

public class StoreDataFrameTests
{
    [Fact]
    public void EveryTableReadsAsADataFrameWithOneColumnTypePerKind()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        StoreSamples.WriteAll(store);
        foreach (var table in AnalysisTables.All)
        {
            var frame = store.ReadDataFrame(table.Name);
            foreach (var spec in table.Columns)
            {
                var column = frame.Columns[spec.Name];
                Type expected = spec.Kind switch
                {
                    ColumnKind.Int64 => typeof(Int64DataFrameColumn),
                    ColumnKind.Float64 => typeof(DoubleDataFrameColumn),
                    ColumnKind.Utf8 => typeof(StringDataFrameColumn),
                    ColumnKind.Boolean => typeof(BooleanDataFrameColumn),
                    _ => typeof(VBufferDataFrameColumn<double>),
                };
                Assert.IsType(expected, column);
            }
        }
    }

    [Fact]
    public void ValuesNullsNaNAndListsSurviveInTheDataFrame()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        StoreSamples.WriteAll(store);
        store.Consolidate();

        var checkpoints = store.ReadDataFrame("checkpoints");
        Assert.Equal(4, checkpoints.Rows.Count);
        Assert.Equal([0L, 100, 1000, 10000], ((Int64DataFrameColumn)checkpoints.Columns["step"]).Select(v => v!.Value));
        var accuracy = (DoubleDataFrameColumn)checkpoints.Columns["metric_accuracy"];
        Assert.Equal(3, accuracy.NullCount);
        Assert.Equal(0.875, accuracy[1]);
        var trainLoss = (DoubleDataFrameColumn)checkpoints.Columns["metric_train_loss"];
        Assert.Null(trainLoss[2]);
        Assert.True(double.IsNaN(trainLoss[3]!.Value));
        Assert.Null(checkpoints.Columns["sha256"][2]);
        Assert.Equal(12_884_901_888L, checkpoints.Columns["size_bytes"][3]);

        var llc = store.ReadDataFrame("llc");
        var chains = (VBufferDataFrameColumn<double>)llc.Columns["chain_estimates"];
        Assert.Equal([40.5, 41.9, 41.1, 41.5], chains[0].DenseValues());
        Assert.Equal(0, chains[2].Length);
        Assert.Equal("rmsprop_sgld", llc.Columns["sampler"][1]);
        Assert.Equal(StoreSamples.BigSeed, llc.Columns["seed"][0]);

        var stages = store.ReadDataFrame("stages");
        Assert.Null(stages.Columns["confidence"][0]);
        Assert.Null(stages.Columns["llc_trend"][1]);
        Assert.Equal("llc,sim.층/레이어 1", stages.Columns["signals"][1]);

        // Ordinary DataFrame work: the trusted LLC estimates.
        var trusted = llc.Filter(((StringDataFrameColumn)llc.Columns["verdict"]).ElementwiseEquals("trusted"));
        Assert.Equal([41.25], ((DoubleDataFrameColumn)trusted.Columns["mean"]).Select(v => v!.Value));
        Assert.Equal(true, store.ReadDataFrame("calibration").Columns["chosen"][1]);
    }

    [Fact]
    public void AnAbsentTableIsAnEmptyFrameWithItsColumns()
    {
        var frame = AnalysisStore.Open(TestPaths.NewTempDir()).ReadDataFrame("similarity");
        Assert.Equal(0, frame.Rows.Count);
        Assert.Equal(["layer", "measure", "step_a", "step_b", "value"], frame.Columns.Select(c => c.Name));
    }
}
