using Apache.Arrow;
using Apache.Arrow.Ipc;
using DevInterp.Storage;

namespace DevInterp.Tests.Storage;

/// <summary>
/// A column added to a table after files were written (<see cref="ColumnSpec.AddedLater"/>, e.g. <c>llc.spread</c>):
/// files of the earlier version still load, read the column as NaN, and consolidate together with new parts.
/// </summary>
public class StoreAddedColumnTests
{
    [Fact]
    public void AnLlcPartWithoutTheSpreadColumnReadsAsNaNAndConsolidatesWithNewParts()
    {
        Assert.True(LlcRow.Schema.Find("spread")!.AddedLater);
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        store.Write(PartKey.ForStep(0), [StoreSamples.Llc[0]]);
        store.Write(PartKey.ForStep(100), [StoreSamples.Llc[1]]);

        // Rewrite step 0's part as an earlier version wrote it: every column but `spread`, same metadata.
        string old = store.Parts("llc").Single(p => p.Key == PartKey.ForStep(0)).Path;
        RecordBatch batch;
        using (var stream = File.OpenRead(old))
        using (var reader = new ArrowFileReader(stream))
            batch = reader.ReadNextRecordBatch().Clone();
        int spread = batch.Schema.GetFieldIndex("spread");
        var fields = batch.Schema.FieldsList.Where((_, i) => i != spread).ToList();
        var schema = new Schema(fields, batch.Schema.Metadata);
        var withoutSpread = new RecordBatch(schema, batch.Arrays.Where((_, i) => i != spread).ToList(), batch.Length);
        using (var stream = File.Create(old))
        using (var writer = new ArrowFileWriter(stream, schema))
        {
            writer.WriteRecordBatch(withoutSpread);
            writer.WriteEnd();
        }

        var rows = AnalysisStore.Open(dir).Read<LlcRow>();
        Assert.True(double.IsNaN(rows.Single(r => r.Step == 0).Spread));
        Assert.Equal(StoreSamples.Llc[0] with { Spread = double.NaN, ChainEstimates = rows[0].ChainEstimates }, rows.Single(r => r.Step == 0));
        Assert.Equal(0.573, rows.Single(r => r.Step == 0).Acceptance); // the columns of 0.2.0 are still there
        Assert.Equal(StoreSamples.Llc[1].Spread, rows.Single(r => r.Step == 100).Spread);

        var reopened = AnalysisStore.Open(dir);
        reopened.Consolidate();
        var consolidated = reopened.Read<LlcRow>();
        Assert.Equal([0L, 100], consolidated.Select(r => r.Step));
        Assert.True(double.IsNaN(consolidated[0].Spread));
        Assert.Equal(StoreSamples.Llc[1].Spread, consolidated[1].Spread);
    }

    [Fact]
    public void PartsWrittenBeforeTheAcceptanceColumnsReadAsNaNAndEmptyText()
    {
        string dir = TestPaths.NewTempDir();
        var store = AnalysisStore.Open(dir);
        store.Write(PartKey.ForStep(0), [StoreSamples.Llc[0]]);
        store.Write(PartKey.ForStep(100), StoreSamples.Calibration.Where(c => c.Step == 100).ToList());
        Drop(store.Parts("llc").Single().Path, "acceptance", "var_over_mean", "max_over_median", "spike_ratio");
        Drop(store.Parts("calibration").Single().Path, "acceptance", "standard_error", "var_over_mean", "spike_ratio", "reasons");

        var reopened = AnalysisStore.Open(dir);
        var llc = reopened.Read<LlcRow>().Single();
        Assert.True(double.IsNaN(llc.Acceptance) && double.IsNaN(llc.VarOverMean) && double.IsNaN(llc.MaxOverMedian) && double.IsNaN(llc.SpikeRatio));
        Assert.Equal(StoreSamples.Llc[0].Mean, llc.Mean);
        var calibration = reopened.Read<CalibrationRow>();
        Assert.All(calibration, c => Assert.Equal("", c.Reasons));
        Assert.All(calibration, c => Assert.True(double.IsNaN(c.Acceptance) && double.IsNaN(c.StandardError)));
        Assert.Equal(StoreSamples.Calibration.Where(c => c.Step == 100).Select(c => c.Mean).Order(), calibration.Select(c => c.Mean).Order());
    }

    // Rewrites an Arrow file without the given columns, as an earlier version wrote it.
    private static void Drop(string path, params string[] columns)
    {
        RecordBatch batch;
        using (var stream = File.OpenRead(path))
        using (var reader = new ArrowFileReader(stream))
            batch = reader.ReadNextRecordBatch().Clone();
        var keep = Enumerable.Range(0, batch.Schema.FieldsList.Count).Where(i => !columns.Contains(batch.Schema.FieldsList[i].Name)).ToList();
        var schema = new Schema(keep.Select(i => batch.Schema.FieldsList[i]), batch.Schema.Metadata);
        var reduced = new RecordBatch(schema, keep.Select(i => batch.Column(i)).ToList(), batch.Length);
        using var output = File.Create(path);
        using var writer = new ArrowFileWriter(output, schema);
        writer.WriteRecordBatch(reduced);
        writer.WriteEnd();
    }

    [Fact]
    public void OnlyFloatAndTextColumnsCanBeAddedLater()
    {
        Assert.Throws<InvalidOperationException>(() => ColumnSpec.Int64("x", "an integer").Later());
        Assert.Throws<InvalidOperationException>(() => ColumnSpec.Float64List("x", "a list").Later());
        Assert.True(ColumnSpec.Utf8("x", "a text").Later().AddedLater);
    }
}
