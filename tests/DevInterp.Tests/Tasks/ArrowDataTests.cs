using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Tests.Tasks;

/// <summary>Arrow IPC data written here with the Apache.Arrow writer, read back through a file task.</summary>
public class ArrowDataTests
{
    private static Schema TableSchema() => new Schema.Builder()
        .Field(f => f.Name("f").DataType(DoubleType.Default).Nullable(false))
        .Field(f => f.Name("i").DataType(Int32Type.Default).Nullable(false))
        .Field(f => f.Name("flag").DataType(BooleanType.Default).Nullable(false))
        .Field(f => f.Name("name").DataType(StringType.Default).Nullable(true))
        .Field(f => f.Name("v").DataType(new FixedSizeListType(FloatType.Default, 2)).Nullable(false))
        .Field(f => f.Name("label").DataType(Int64Type.Default).Nullable(true))
        .Build();

    /// <summary>Rows r0..r(n−1) from <paramref name="start"/>: f = r/4, i = −r, flag = r odd, name = "r", v = [r, 10r], label = r mod 3.</summary>
    private static RecordBatch Batch(Schema schema, int start, int count, bool nullLabel = false)
    {
        var f = new DoubleArray.Builder();
        var i = new Int32Array.Builder();
        var flag = new BooleanArray.Builder();
        var name = new StringArray.Builder();
        var values = new FloatArray.Builder();
        var label = new Int64Array.Builder();
        for (int r = start; r < start + count; r++)
        {
            f.Append(r / 4.0);
            i.Append(-r);
            flag.Append(r % 2 == 1);
            name.Append($"r{r}");
            values.Append(r).Append(10f * r);
            if (nullLabel && r == start + 1) label.AppendNull();
            else label.Append(r % 3);
        }
        var valuesArray = values.Build();
        var list = new FixedSizeListArray(new FixedSizeListType(FloatType.Default, 2), count, valuesArray, ArrowBuffer.Empty, 0, 0);
        return new RecordBatch(schema, [f.Build(), i.Build(), flag.Build(), name.Build(), list, label.Build()], count);
    }

    private static string Write(bool fileFormat, bool nullLabel = false)
    {
        string path = Path.Combine(TestPaths.NewTempDir(), fileFormat ? "table.arrow" : "table.arrows");
        var schema = TableSchema();
        using var stream = File.Create(path);
        using ArrowStreamWriter writer = fileFormat ? new ArrowFileWriter(stream, schema) : new ArrowStreamWriter(stream, schema);
        writer.WriteRecordBatch(Batch(schema, 0, 3, nullLabel));
        writer.WriteRecordBatch(Batch(schema, 3, 2));
        writer.WriteEnd();
        return path;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NumericColumnsAcrossBatches(bool fileFormat)
    {
        string path = Write(fileFormat);
        var spec = TaskSpec.Parse($$$"""{"type":"file","loss":"cross_entropy","train":{"path":"{{{path}}}","targets":"label"}}""");
        using var data = spec.LoadTraining(ScalarType.Float64);
        // Default inputs: every readable column but the targets (f, i, flag, v; the string column is left out).
        Assert.Equal([5L, 5], data.Inputs.shape);
        var expected = Enumerable.Range(0, 5).SelectMany(r => new[] { r / 4.0, -r, r % 2, r, 10.0 * r });
        Assert.Equal(expected, data.Inputs.data<double>().ToArray());
        Assert.Equal([0L, 1, 2, 0, 1], data.Targets.data<long>().ToArray());

        var picked = TaskSpec.Parse($$$"""{"type":"file","loss":"mse","train":{"path":"{{{path}}}","inputs":"v","targets":["i","f"]}}""");
        using var p = picked.LoadTraining(ScalarType.Float64);
        Assert.Equal([5L, 2], p.Inputs.shape); // a fixed-size list column is a [n, 2] array
        Assert.Equal([0.0, 0, -1, 0.25, -2, 0.5, -3, 0.75, -4, 1], p.Targets.data<double>().ToArray());
    }

    [Fact]
    public void StringColumnsAndNullsAreRefusedWhenUsed()
    {
        string path = Write(fileFormat: true);
        var e = Assert.Throws<DataFileException>(() =>
            TaskSpec.Parse($$$"""{"type":"file","loss":"mse","train":{"path":"{{{path}}}","inputs":"name","targets":"f"}}""").LoadTraining());
        Assert.Equal($"{path}: column 'name' for the inputs cannot be used: it has type utf8; readable columns are integers, floats, booleans and fixed-size lists of those", e.Message);

        string withNull = Write(fileFormat: true, nullLabel: true);
        var n = Assert.Throws<DataFileException>(() =>
            TaskSpec.Parse($$$"""{"type":"file","loss":"mse","train":{"path":"{{{withNull}}}","targets":"label"}}""").LoadTraining());
        Assert.Equal($"{withNull}: column 'label' has a null at row 1; fill or drop missing values first", n.Message);
    }

    [Fact]
    public void NotArrowSaysSo()
    {
        var e = Assert.Throws<DataFileException>(() => TaskSpec.Parse(
            $$$"""{"type":"file","loss":"mse","train":{"path":"{{{TestPaths.Fixture("tasks/table.csv")}}}","format":"arrow"}}""").LoadTraining());
        Assert.Contains("table.csv: not a readable Arrow IPC stream", e.Message);
    }
}
