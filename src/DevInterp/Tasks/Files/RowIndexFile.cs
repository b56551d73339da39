using System.Globalization;

namespace DevInterp.Tasks.Files;

/// <summary>
/// The <c>rows</c> of a split: an index file (e.g. <c>np.save("train_idx.npy", idx)</c>, a pickled list of ints, a
/// one-column CSV) whose values are 0-based row numbers of the split's data, kept in the file's order.
/// </summary>
internal static class RowIndexFile
{
    public static SourceLoader.Loaded Apply(SourceLoader.Loaded loaded, DataSelection rows, string? baseDirectory, string split)
    {
        var fileRef = rows.File ?? throw new ArgumentException("a row selection needs a file");
        string path = fileRef.Resolve(baseDirectory);
        NumericArray indices;
        using (var file = SourceLoader.OpenFile(fileRef, path))
        {
            indices = rows.Columns is not null ? SourceLoader.Select(file, rows.Columns, "rows")
                : SourceLoader.Whole(file, "rows") ?? throw new DataFileException(path,
                    $"cannot tell which array holds the row numbers (the file has {file.Describe()}); name it in \"columns\"");
        }
        if (indices.Width != 1)
            throw new DataFileException(path, $"the row numbers ({indices.Name}) have shape {indices.ShapeText}; expected one number per entry");
        long n = loaded.Inputs.Rows;
        var list = new int[indices.Values.Length];
        for (int i = 0; i < list.Length; i++)
        {
            double v = indices.Values[i];
            if (!(v >= 0 && v < n && v == Math.Floor(v)))
                throw new DataFileException(path, $"entry {i} is {v.ToString("R", CultureInfo.InvariantCulture)}, not a row number of the {split} data (0 to {n - 1}, in {loaded.InputsPath})");
            list[i] = (int)v;
        }
        if (list.Length == 0) throw new DataFileException(path, "holds no row numbers");
        return loaded with { Inputs = loaded.Inputs.SelectRows(list), Targets = loaded.Targets.SelectRows(list) };
    }
}
