using DevInterp.Tasks.Files;
using static TorchSharp.torch;

namespace DevInterp.Tasks;

/// <summary>
/// Inputs read from a data file in any format the <c>file</c> task reads (safetensors, .pt/.pkl, .npy, .npz, CSV,
/// text, Arrow): e.g. a probe batch a researcher saved beside the run. The array used is the one named (or the columns
/// named, comma-separated), else the array named <c>inputs</c> or <c>x</c>, else all columns of a table or the file's
/// only array.
/// </summary>
public static class DataFileInputs
{
    /// <summary>Reads the inputs as int64 token ids (<paramref name="tokens"/>) or as floats of <paramref name="dtype"/>.</summary>
    /// <exception cref="DataFileException">The file cannot be read, the names are not in it, or the values do not fit the kind.</exception>
    public static Tensor Read(string path, string? names, bool tokens, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fileRef = new DataFileRef(path);
        using var file = SourceLoader.OpenFile(fileRef, Path.GetFullPath(path));
        NumericArray array;
        if (names is not null)
        {
            var columns = names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(DataColumn.Named).ToList();
            array = SourceLoader.Select(file, columns, "probe inputs");
        }
        else
        {
            string? byName = SourceLoader.DefaultInputNames.FirstOrDefault(file.Has);
            array = byName is not null ? file.Field(byName) : SourceLoader.Whole(file, "probe inputs") ?? throw new DataFileException(file.Path,
                $"holds several arrays ({file.Describe()}); name the one holding the inputs");
        }
        if (array.Shape.Length == 0) throw new DataFileException(file.Path, $"'{array.Name}' is a single number, not one input per sample");
        if (!tokens)
        {
            foreach (double v in array.Values)
                if (!double.IsFinite(v)) throw new DataFileException(file.Path, $"'{array.Name}' holds {v}; inputs must be finite numbers");
            using var t = tensor(array.Values, array.Shape, ScalarType.Float64);
            return t.to_type(dtype);
        }
        var ids = new long[array.Values.LongLength];
        for (long i = 0; i < ids.LongLength; i++)
        {
            double v = array.Values[i];
            if (!(v >= 0 && v == Math.Floor(v) && v < 1L << 53))
                throw new DataFileException(file.Path, $"'{array.Name}' holds {v} at sample {i / Math.Max(1, array.Width)}; token ids must be non-negative integers");
            ids[i] = (long)v;
        }
        return tensor(ids, array.Shape, ScalarType.Int64);
    }
}
