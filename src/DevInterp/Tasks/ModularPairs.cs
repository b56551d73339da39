using System.Globalization;
using DevInterp.Tasks.Files;

namespace DevInterp.Tasks;

/// <summary>
/// Reads the (a, b) pairs of a modular task from the run's own files, so the analysis uses the run's train/test split:
/// a pickled list of (a, b) tuples (as grokking repositories save <c>train_data.pth</c>), a tensor or array [n, 2]
/// (.pt, .npy, .npz, safetensors), or a table (CSV, text, Arrow) with two columns. The array used is the selection's
/// <c>columns</c>, else the array named <c>pairs</c>, <c>inputs</c> or <c>x</c>, else all columns of a table or the
/// file's only array. A third column is accepted when it is the "=" token (every value p) or the label (every value
/// a ∘ b mod p, which is then checked); anything else is an error naming the file and the row.
/// </summary>
internal static class ModularPairs
{
    private static readonly string[] DefaultNames = ["pairs", "inputs", "x"];

    /// <summary>The pairs a[i], b[i] and the file they came from.</summary>
    public sealed record Loaded(long[] A, long[] B, string? Path);

    public static Loaded Load(ModularTaskSpec spec, DataSelection selection, string field)
    {
        var fileRef = selection.File ?? throw new ArgumentException("a pair source needs a file");
        string path = fileRef.Resolve(spec.BaseDirectory);
        using var file = SourceLoader.OpenFile(fileRef, path);
        var array = Choose(file, selection.Columns, field);
        string name = array.Name;
        if (array.Shape.Length != 2 || array.Shape[1] is not (2 or 3))
        {
            throw new DataFileException(path,
                $"the pairs ({name}) have shape {array.ShapeText}; a modular task's \"{field}\" needs one (a, b) pair per row: [n, 2] " +
                "(or [n, 3] with the \"=\" token or the label as third column); choose the columns with \"columns\"");
        }
        long n = array.Rows, width = array.Shape[1];
        if (n == 0) throw new DataFileException(path, "no pairs (0 rows)");
        var a = new long[n];
        var b = new long[n];
        bool thirdIsEquals = true, thirdIsLabel = true;
        long firstBadLabel = -1;
        for (long i = 0; i < n; i++)
        {
            a[i] = Residue(array.Values[i * width], spec, path, i, "a");
            b[i] = Residue(array.Values[i * width + 1], spec, path, i, "b");
            if (spec.Operation == ModularOperation.Divide && b[i] == 0)
                throw new DataFileException(path, $"row {i}: b = 0, but division needs b ≠ 0");
            if (width == 3)
            {
                double third = array.Values[i * width + 2];
                if (third != spec.P) thirdIsEquals = false;
                if (third != spec.Answer((int)a[i], (int)b[i]))
                {
                    thirdIsLabel = false;
                    if (firstBadLabel < 0) firstBadLabel = i;
                }
            }
        }
        if (width == 3 && !thirdIsEquals && !thirdIsLabel)
        {
            long i = firstBadLabel;
            double third = array.Values[i * width + 2];
            throw new DataFileException(path,
                $"row {i}: the third column is {Show(third)}, neither the \"=\" token {spec.P} nor the label {Describe(spec, a[i], b[i])}; " +
                "check \"operation\" and \"p\", or choose the two pair columns with \"columns\"");
        }
        return new Loaded(a, b, path);
    }

    private static NumericArray Choose(DataContents file, IReadOnlyList<DataColumn>? columns, string field)
    {
        if (columns is not null) return SourceLoader.Select(file, columns, "pairs");
        foreach (string name in DefaultNames)
            if (file.Has(name)) return file.Field(name);
        return SourceLoader.Whole(file, "pairs") ?? throw new DataFileException(file.Path,
            $"cannot tell which array holds the pairs of \"{field}\" (the file has {file.Describe()}); name it in \"columns\"");
    }

    private static long Residue(double value, ModularTaskSpec spec, string path, long row, string which)
    {
        if (!(value >= 0 && value < spec.P && value == Math.Floor(value)))
            throw new DataFileException(path, $"row {row}: {which} = {Show(value)} is not a residue mod p = {spec.P} (an integer from 0 to {spec.P - 1}); check \"p\"");
        return (long)value;
    }

    private static string Describe(ModularTaskSpec spec, long a, long b)
    {
        string op = spec.Operation switch
        {
            ModularOperation.Add => "+",
            ModularOperation.Subtract => "−",
            ModularOperation.Multiply => "·",
            ModularOperation.Divide => "/",
            _ => "∘",
        };
        return $"{a} {op} {b} mod {spec.P} = {spec.Answer((int)a, (int)b)}";
    }

    private static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
