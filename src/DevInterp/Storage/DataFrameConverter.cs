using Apache.Arrow;
using Microsoft.Data.Analysis;
using Microsoft.ML.Data;

namespace DevInterp.Storage;

/// <summary>
/// Turns a stored table into a Microsoft.Data.Analysis <see cref="DataFrame"/>: int64 → <see cref="Int64DataFrameColumn"/>,
/// float64 → <see cref="DoubleDataFrameColumn"/>, utf8 → <see cref="StringDataFrameColumn"/>, bool →
/// <see cref="BooleanDataFrameColumn"/>, list&lt;float64&gt; → <see cref="VBufferDataFrameColumn{T}"/> of double; nulls stay nulls.
/// </summary>
internal static class DataFrameConverter
{
    public static DataFrame Convert(TableSchema table, RecordBatch batch)
    {
        var columns = new List<DataFrameColumn>();
        for (int i = 0; i < batch.ColumnCount; i++)
        {
            string name = batch.Schema.FieldsList[i].Name;
            var spec = table.Resolve(name) ?? throw new InvalidOperationException($"table {table.Name}: column '{name}' is not in the schema");
            var array = batch.Column(i);
            int n = batch.Length;
            columns.Add(spec.Kind switch
            {
                ColumnKind.Int64 => new Int64DataFrameColumn(name, Enumerable.Range(0, n).Select(r => ((Int64Array)array).GetValue(r))),
                ColumnKind.Float64 => new DoubleDataFrameColumn(name, Enumerable.Range(0, n).Select(r => ((DoubleArray)array).GetValue(r))),
                ColumnKind.Utf8 => new StringDataFrameColumn(name, Enumerable.Range(0, n).Select(r => array.IsNull(r) ? null : ((StringArray)array).GetString(r))),
                ColumnKind.Boolean => new BooleanDataFrameColumn(name, Enumerable.Range(0, n).Select(r => ((BooleanArray)array).GetValue(r))),
                ColumnKind.Float64List => new VBufferDataFrameColumn<double>(name, Enumerable.Range(0, n).Select(r =>
                    ArrowCells.DoubleList(array, r) is { } values ? new VBuffer<double>(values.Length, values) : default)),
                _ => throw new InvalidOperationException($"table {table.Name}: column '{name}' has unknown kind {spec.Kind}"),
            });
        }
        return new DataFrame(columns);
    }
}
