using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using DevInterp.Storage;

namespace DevInterp.Tests.Storage;

public class StoreRoundTripTests
{
    private static readonly StringComparer Ordinal = StringComparer.Ordinal;

    [Fact]
    public void EveryTableRoundTripsFromPartsThenFromTheConsolidatedFile()
    {
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        StoreSamples.WriteAll(store);

        foreach (var table in AnalysisTables.All) Assert.Equal(TableState.PartsOnly, store.State(table.Name));
        AssertAllTables(store);

        var results = store.Consolidate();
        Assert.Equal(AnalysisTables.All.Select(t => t.Name), results.Select(r => r.Table));
        Assert.All(results, r => Assert.Empty(r.IgnoredDuplicates));
        Assert.Equal(4, results.Single(r => r.Table == "checkpoints").Rows);
        Assert.Equal(2 * 3 * 2, results.Single(r => r.Table == "similarity").Rows);
        foreach (var table in AnalysisTables.All)
        {
            Assert.Equal(TableState.Consolidated, store.State(table.Name));
            Assert.True(File.Exists(Path.Combine(dir, table.Name + ".arrow")));
        }
        AssertAllTables(store);

        // The consolidated files stand alone: a folder holding only them (parts not copied) reads the same.
        Directory.Delete(Path.Combine(dir, "parts"), recursive: true);
        AssertAllTables(AnalysisStore.Open(dir));
    }

    private static void AssertAllTables(AnalysisStore store)
    {
        var checkpoints = store.Read<CheckpointRow>();
        Assert.Equal([0L, 100, 1000, 10000], checkpoints.Select(c => c.Step));
        for (int i = 0; i < checkpoints.Count; i++)
        {
            var expected = StoreSamples.Checkpoints[i];
            Assert.Equal(expected with { Metrics = checkpoints[i].Metrics }, checkpoints[i]);
            Assert.Equal(expected.Metrics.ToDictionary(p => SnakeCase.From(p.Key), p => p.Value).OrderBy(p => p.Key, Ordinal), checkpoints[i].Metrics.OrderBy(p => p.Key, Ordinal));
        }
        Assert.True(double.IsNaN(checkpoints[3].Metrics["train_loss"]));
        Assert.Equal(0.99, checkpoints[3].Metrics["test_acc"]);
        Assert.Equal(CheckpointStatus.Failed, checkpoints[2].Status);
        Assert.Null(checkpoints[2].Sha256);
        Assert.Null(checkpoints[2].SizeBytes);

        var llc = store.Read<LlcRow>();
        Assert.Equal(StoreSamples.Llc.Length, llc.Count);
        for (int i = 0; i < llc.Count; i++)
        {
            Assert.Equal(StoreSamples.Llc[i] with { ChainEstimates = llc[i].ChainEstimates }, llc[i]);
            Assert.Equal(StoreSamples.Llc[i].ChainEstimates, llc[i].ChainEstimates);
        }
        Assert.Empty(llc[2].ChainEstimates);
        Assert.Equal(StoreSamples.BigSeed, llc[0].Seed);
        Assert.True(double.IsNegative(llc[1].Drift) && llc[1].Drift == 0, "−0 keeps its sign");

        Assert.Equal(StoreSamples.Traces.OrderBy(t => t.Step).ThenBy(t => t.Chain).ThenBy(t => t.Draw), store.Read<LlcTraceRow>());
        Assert.Equal(StoreSamples.Calibration.OrderBy(c => c.Step).ThenBy(c => c.NBeta).ThenBy(c => c.Localization).ThenBy(c => c.StepSize),
            store.Read<CalibrationRow>());
        Assert.Equal(StoreSamples.Pairs.SelectMany(p => StoreSamples.SimilarityFor(p.A, p.B))
                .OrderBy(s => s.Layer, Ordinal).ThenBy(s => s.Measure, Ordinal).ThenBy(s => s.StepA).ThenBy(s => s.StepB),
            store.Read<SimilarityRow>());
        Assert.Contains(store.Read<SimilarityRow>(), s => s.Layer == "emb 🙂" && s.Measure == "cca" && double.IsNaN(s.Value));
        Assert.Equal(StoreSamples.Coordinates.OrderBy(c => c.Kind).ThenBy(c => c.Step).ThenBy(c => c.Component), store.Read<DynamicsCoordinateRow>());
        Assert.Equal(StoreSamples.Setting.OrderBy(x => x.WrittenBy, StringComparer.Ordinal), store.Read<LlcSettingRow>());
        Assert.Equal(StoreSamples.Variance, store.Read<DynamicsVarianceRow>());
        Assert.Equal(StoreSamples.Curvature, store.Read<DynamicsCurvatureRow>());

        var stages = store.Read<StageSummaryRow>();
        for (int i = 0; i < stages.Count; i++)
        {
            Assert.Equal(StoreSamples.Stages[i] with { Signals = stages[i].Signals }, stages[i]);
            Assert.Equal(StoreSamples.Stages[i].Signals, stages[i].Signals);
        }
    }

    [Fact]
    public void FilesAreArrowIpcFilesWithTheSchemaTypesAndNullsDistinctFromNaN()
    {
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        StoreSamples.WriteAll(store);
        store.Consolidate();

        foreach (var table in AnalysisTables.All)
        {
            string path = Path.Combine(dir, table.Name + ".arrow");
            byte[] bytes = File.ReadAllBytes(path);
            Assert.Equal("ARROW1", System.Text.Encoding.ASCII.GetString(bytes, 0, 6));
            Assert.Equal("ARROW1", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 6, 6));
            using var reader = new ArrowFileReader(new MemoryStream(bytes));
            var schema = reader.Schema;
            Assert.Equal(table.Name, schema.Metadata["devinterp.table"]);
            var fixedFields = schema.FieldsList.Take(table.Columns.Count).ToList();
            Assert.Equal(table.Columns.Select(c => c.Name), fixedFields.Select(f => f.Name));
            Assert.Equal(table.Columns.Select(c => c.Nullable), fixedFields.Select(f => f.IsNullable));
            foreach (var (field, spec) in fixedFields.Zip(table.Columns))
            {
                ArrowTypeId expected = spec.Kind switch
                {
                    ColumnKind.Int64 => ArrowTypeId.Int64, ColumnKind.Float64 => ArrowTypeId.Double, ColumnKind.Utf8 => ArrowTypeId.String,
                    ColumnKind.Boolean => ArrowTypeId.Boolean, _ => ArrowTypeId.List,
                };
                Assert.Equal(expected, field.DataType.TypeId);
            }
        }

        var checkpoints = store.ReadRecordBatches("checkpoints").Single();
        Assert.Equal(["step", "file", "sha256", "size_bytes", "status", "error", "metric_accuracy", "metric_test_acc", "metric_test_loss", "metric_train_loss"],
            checkpoints.Schema.FieldsList.Select(f => f.Name));
        var accuracy = (DoubleArray)checkpoints.Column("metric_accuracy");
        Assert.Equal([true, false, true, true], Enumerable.Range(0, 4).Select(accuracy.IsNull)); // only step 100 reported accuracy
        var trainLoss = (DoubleArray)checkpoints.Column("metric_train_loss");
        Assert.False(trainLoss.IsNull(3));
        Assert.True(double.IsNaN(trainLoss.GetValue(3)!.Value)); // NaN is a value…
        Assert.True(trainLoss.IsNull(2));                        // …null is a missing one
        var stages = store.ReadRecordBatches("stages").Single();
        Assert.True(stages.Column("confidence").IsNull(0));
        Assert.Equal(0, stages.Column("signals").NullCount);
    }

    [Fact]
    public void RowsAreSortedByKeyWhateverOrderTheyAreWrittenIn()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        var part = store.Write(PartKey.ForStep(5), new[] { 3, 1, 2, 0 }.Select(d => new LlcTraceRow(5, d % 2, d, d, 0, 0, d)));
        Assert.Equal([0, 1, 2, 3], store.ReadPart<LlcTraceRow>(PartKey.ForStep(5)).Select(r => r.Draw).Order());
        Assert.Equal([(0, 0), (0, 2), (1, 1), (1, 3)], store.Read<LlcTraceRow>().Select(r => (r.Chain, r.Draw)));
        Assert.EndsWith(Path.Combine("parts", "llc_traces", "step-000000000005.arrow"), part.Path);
    }

    [Fact]
    public void ADuplicateKeyInOnePartIsRefusedAndNothingIsWritten()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        var e = Assert.Throws<AnalysisStoreException>(() => store.Write(PartKey.ForStepPair(0, 1),
            [new SimilarityRow("l", "cka", 0, 1, 0.5), new SimilarityRow("l", "cka", 0, 1, 0.6)]));
        Assert.Contains("layer='l', measure='cka', step_a=0, step_b=1 twice", e.Message);
        Assert.Empty(store.Parts("similarity"));
        Assert.False(Directory.Exists(store.PartsFolder("similarity")) && Directory.EnumerateFileSystemEntries(store.PartsFolder("similarity")).Any());
    }

    [Fact]
    public void BadRowsAreRefusedWithTheTableAndColumnNamed()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        var e1 = Assert.Throws<ArgumentException>(() => store.Write("x", [new SimilarityRow(null!, "cka", 0, 1, 0.5)]));
        Assert.Contains("column 'layer' is not nullable", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => store.Write("x", [new CheckpointRow(1, "f", null, null, CheckpointStatus.Failed, null)]));
        Assert.Contains("failed checkpoint needs an error", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => store.Write("x",
            [CheckpointRow.Ok(1, "f", "h", 1, new Dictionary<string, double> { ["test/acc"] = 1, ["test_acc"] = 2 })]));
        Assert.Contains("both become column metric_test_acc", e3.Message);
        var e4 = Assert.Throws<AnalysisStoreException>(() => store.Write("x", [new CalibrationRow(1, double.NaN, 1, 1, 1, 1, 1, 1, default, false, false, false, false)]));
        Assert.Contains("key column 'step_size' is NaN", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => store.Write("../escape", System.Array.Empty<SimilarityRow>()));
        Assert.Contains("part key '../escape'", e5.Message);
        var e6 = Assert.Throws<ArgumentException>(() => store.Write("x", [new StageSummaryRow(0, 0, 1, null, null, null, ["a,b"], null)]));
        Assert.Contains("signal name 'a,b'", e6.Message);
        Assert.Empty(store.Tables());
    }

    [Fact]
    public void AnEmptyPartMarksTheUnitDoneWithNoRows()
    {
        var store = AnalysisStore.Open(TestPaths.NewTempDir());
        store.Write(PartKey.Whole, System.Array.Empty<DynamicsCurvatureRow>());
        Assert.True(store.HasPart<DynamicsCurvatureRow>(PartKey.Whole));
        Assert.Empty(store.Read<DynamicsCurvatureRow>());
        var result = store.Consolidate("essential_dynamics_curvature");
        Assert.Equal((1, 0), (result.Parts, result.Rows));
        Assert.Equal(8, store.ReadDataFrame("essential_dynamics_curvature").Columns.Count);
    }

    [Fact]
    public void AnUnknownOrMismatchedFileIsAClearError()
    {
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        store.Write(PartKey.Whole, StoreSamples.Variance);
        store.Consolidate();
        File.Copy(Path.Combine(dir, "essential_dynamics_variance.arrow"), Path.Combine(dir, "stages.arrow"));
        var e = Assert.Throws<AnalysisStoreException>(() => store.Read<StageSummaryRow>());
        Assert.Contains("stages.arrow: holds table 'essential_dynamics_variance', expected 'stages'", e.Message);
        Assert.Contains("unknown table 'nope'", Assert.Throws<ArgumentException>(() => store.ReadDataFrame("nope")).Message);
        Directory.CreateDirectory(store.PartsFolder("llc"));
        File.WriteAllText(Path.Combine(store.PartsFolder("llc"), "not a key!.arrow"), "x");
        Assert.Contains("not a part file name", Assert.Throws<AnalysisStoreException>(() => store.Parts("llc")).Message);
    }
}
