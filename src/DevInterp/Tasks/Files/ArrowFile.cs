using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace DevInterp.Tasks.Files;

/// <summary>
/// Reads an Apache Arrow IPC file (the random-access format, magic <c>ARROW1</c>; Feather v2) or stream as a table: one
/// field per column, all record batches concatenated. Readable columns: signed and unsigned integers, half, single and
/// double floats, booleans, and fixed-size lists of those (a [n, k] field). Nulls are refused; so are compressed
/// buffers (write the file uncompressed).
/// </summary>
internal static class ArrowFile
{
    public static DataContents Open(string path)
    {
        using var stream = DataFiles.OpenRead(path);
        Span<byte> magic = stackalloc byte[6];
        int n = stream.ReadAtLeast(magic, 6, throwOnEndOfStream: false);
        stream.Position = 0;
        bool fileFormat = n == 6 && magic.SequenceEqual("ARROW1"u8);
        try
        {
            using ArrowStreamReader reader = fileFormat ? new ArrowFileReader(stream, leaveOpen: true) : new ArrowStreamReader(stream, leaveOpen: true);
            var schema = reader.Schema ?? throw new DataFileException(path, "not an Arrow IPC file or stream (no schema)");
            var names = schema.FieldsList.Select(f => f.Name).ToArray();
            var duplicate = names.GroupBy(x => x, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw new DataFileException(path, $"two columns are named '{duplicate.Key}'");
            // Columns that are not numbers (strings, dates, ...) are left out, and reported only if selected.
            var unreadable = new Dictionary<string, string>(StringComparer.Ordinal);
            var readable = new List<(int Index, Field Field, long Width)>();
            for (int c = 0; c < schema.FieldsList.Count; c++)
            {
                var field = schema.FieldsList[c];
                string? why = Unsupported(field);
                if (why is null) readable.Add((c, field, field.DataType is FixedSizeListType list ? list.ListSize : 1));
                else unreadable[field.Name] = why;
            }
            var values = readable.Select(_ => new List<double>()).ToArray();
            long rows = 0;
            while (reader.ReadNextRecordBatch() is { } batch)
            {
                using (batch)
                {
                    for (int k = 0; k < readable.Count; k++) Append(path, readable[k].Field.Name, batch.Column(readable[k].Index), rows, values[k]);
                    rows += batch.Length;
                }
            }
            if (rows == 0) throw new DataFileException(path, "the Arrow table has no rows");
            var columns = new List<NumericArray>(readable.Count);
            for (int k = 0; k < readable.Count; k++)
            {
                long[] shape = readable[k].Field.DataType is FixedSizeListType ? [rows, readable[k].Width] : [rows];
                columns.Add(new NumericArray(readable[k].Field.Name, shape, [.. values[k]]));
            }
            return DataContents.Table(path, columns, unreadable);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentException or NotSupportedException or IOException or OverflowException or IndexOutOfRangeException)
        {
            string hint = e.Message.Contains("compress", StringComparison.OrdinalIgnoreCase) ? " (compressed Arrow buffers are not supported: write the file uncompressed)" : "";
            throw new DataFileException(path, $"not a readable Arrow IPC {(fileFormat ? "file" : "stream")}: {e.Message}{hint}", e);
        }
    }

    /// <summary>Why a column cannot be read as numbers, or null when it can.</summary>
    private static string? Unsupported(Field field)
    {
        var type = field.DataType;
        if (type is FixedSizeListType list)
            return IsNumeric(list.ValueDataType) ? null : $"it is a fixed-size list of {list.ValueDataType.Name}; only numeric values can be read";
        return IsNumeric(type) ? null : $"it has type {type.Name}; readable columns are integers, floats, booleans and fixed-size lists of those";
    }

    private static bool IsNumeric(IArrowType type) => type.TypeId is ArrowTypeId.Boolean or ArrowTypeId.Int8 or ArrowTypeId.Int16
        or ArrowTypeId.Int32 or ArrowTypeId.Int64 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32
        or ArrowTypeId.UInt64 or ArrowTypeId.HalfFloat or ArrowTypeId.Float or ArrowTypeId.Double;

    private static void Append(string path, string column, IArrowArray array, long firstRow, List<double> into)
    {
        if (array.NullCount > 0)
        {
            int row = 0;
            while (row < array.Length && !array.IsNull(row)) row++;
            throw new DataFileException(path, $"column '{column}' has a null at row {firstRow + row}; fill or drop missing values first");
        }
        if (array is FixedSizeListArray list)
        {
            // The child array of a sliced list may be longer than the list needs; take the rows' values only.
            int size = ((FixedSizeListType)list.Data.DataType).ListSize;
            for (int i = 0; i < list.Length; i++)
            {
                var values = list.GetSlicedValues(i);
                if (values.NullCount > 0) throw new DataFileException(path, $"column '{column}' has a null inside the list at row {firstRow + i}");
                if (values.Length != size) throw new DataFileException(path, $"column '{column}' row {firstRow + i} holds {values.Length} values, expected {size}");
                AppendScalars(values, into);
            }
            return;
        }
        AppendScalars(array, into);
    }

    private static void AppendScalars(IArrowArray array, List<double> into)
    {
        switch (array)
        {
            case DoubleArray a: foreach (double v in a.Values) into.Add(v); break;
            case FloatArray a: foreach (float v in a.Values) into.Add(v); break;
            case HalfFloatArray a: foreach (Half v in a.Values) into.Add((double)v); break;
            case Int64Array a: foreach (long v in a.Values) into.Add(v); break;
            case Int32Array a: foreach (int v in a.Values) into.Add(v); break;
            case Int16Array a: foreach (short v in a.Values) into.Add(v); break;
            case Int8Array a: foreach (sbyte v in a.Values) into.Add(v); break;
            case UInt64Array a: foreach (ulong v in a.Values) into.Add(v); break;
            case UInt32Array a: foreach (uint v in a.Values) into.Add(v); break;
            case UInt16Array a: foreach (ushort v in a.Values) into.Add(v); break;
            case UInt8Array a: foreach (byte v in a.Values) into.Add(v); break;
            case BooleanArray a:
                for (int i = 0; i < a.Length; i++) into.Add(a.GetValue(i) == true ? 1 : 0);
                break;
            default:
                throw new NotSupportedException($"Arrow array {array.GetType().Name}");
        }
    }
}
