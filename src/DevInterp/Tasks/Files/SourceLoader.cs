using System.Globalization;

namespace DevInterp.Tasks.Files;

/// <summary>
/// Reads one split of a <c>file</c> task: opens its files (each once), resolves the inputs and targets selections, with
/// the defaults of docs/tasks.md, and assembles each into one array [n, ...].
/// </summary>
internal static class SourceLoader
{
    public static readonly string[] DefaultInputNames = ["inputs", "x"];
    public static readonly string[] DefaultTargetNames = ["targets", "y"];

    /// <summary>The inputs and targets of a split, with the file each came from.</summary>
    public sealed record Loaded(NumericArray Inputs, string InputsPath, NumericArray Targets, string TargetsPath);

    /// <summary>A resolved selection item: a whole field, or one column of a file's single 2-D array.</summary>
    private sealed record ColumnKey(string Field, int? Column)
    {
        public string Text => Column is { } c ? $"column {c.ToString(CultureInfo.InvariantCulture)}" : $"'{Field}'";
    }

    public static Loaded Load(DataSource source, string? baseDirectory)
    {
        var opened = new Dictionary<string, DataContents>(StringComparer.Ordinal);
        try
        {
            DataContents Open(DataFileRef file)
            {
                string path = file.Resolve(baseDirectory);
                string cacheKey = $"{path}\n{file.EffectiveFormat}\n{file.Header}\n{file.EffectiveDelimiter}\n{file.Key}";
                if (!opened.TryGetValue(cacheKey, out var contents))
                {
                    contents = OpenFile(file, path);
                    opened[cacheKey] = contents;
                }
                return contents;
            }

            var targetsRef = source.Targets?.File ?? source.File ?? throw new ArgumentException("the split names no file for its targets");
            var inputsRef = source.Inputs?.File ?? source.File ?? throw new ArgumentException("the split names no file for its inputs");
            var targetsFile = Open(targetsRef);
            var inputsFile = Open(inputsRef);
            if (source.Inputs is null && source.Targets is null) RefuseUnnamedIntegerPair(targetsFile);
            var targetKeys = ResolveTargets(targetsFile, source.Targets?.Columns, ownFile: source.Targets?.File is not null);
            var inputKeys = ResolveInputs(inputsFile, source.Inputs?.Columns, ownFile: source.Inputs?.File is not null,
                ReferenceEquals(inputsFile, targetsFile) ? targetKeys : null);
            var targets = Assemble(targetsFile, targetKeys, "targets");
            var inputs = Assemble(inputsFile, inputKeys, "inputs");
            if (inputs.Rows != targets.Rows)
            {
                string where = ReferenceEquals(inputsFile, targetsFile) ? "" : $" in {inputsFile.Path}";
                throw new DataFileException(targetsFile.Path,
                    $"the targets ({targets.Name}) have {targets.Rows} rows but the inputs ({inputs.Name}{where}) have {inputs.Rows}");
            }
            if (inputs.Rows == 0) throw new DataFileException(inputsFile.Path, "no samples (0 rows)");
            return new Loaded(inputs, inputsFile.Path, targets, targetsFile.Path);
        }
        finally
        {
            foreach (var c in opened.Values) c.Dispose();
        }
    }

    /// <summary>Opens a file with the reader of its format.</summary>
    public static DataContents OpenFile(DataFileRef file, string path)
    {
        var format = file.EffectiveFormat ?? throw new DataFileException(path,
            $"cannot tell the format from the extension (known: {DataFormats.KnownExtensions}); set \"format\" to one of {string.Join(", ", DataFormats.Names)}");
        return format switch
        {
            DataFormat.Safetensors => TensorFile.Open(path),
            DataFormat.PyTorch => PickleDataFile.Open(path, file.Key),
            DataFormat.Npy => NpyFile.Open(path),
            DataFormat.Npz => NpzFile.Open(path),
            DataFormat.Csv => DelimitedTextFile.Open(path, file.EffectiveDelimiter, file.Header),
            DataFormat.Text => DelimitedTextFile.Open(path, null, file.Header),
            _ => ArrowFile.Open(path),
        };
    }

    /// <summary>The columns or arrays <paramref name="columns"/> of an open file, assembled into one array [n, ...].</summary>
    public static NumericArray Select(DataContents file, IReadOnlyList<DataColumn> columns, string role) =>
        Assemble(file, Resolve(file, columns, role), role);

    /// <summary>Every column of a table, or the only array of a file, assembled; null when the file holds several arrays.</summary>
    public static NumericArray? Whole(DataContents file, string role) =>
        WholeFile(file) is { } keys ? Assemble(file, keys, role) : null;

    private static List<ColumnKey> ResolveTargets(DataContents file, IReadOnlyList<DataColumn>? columns, bool ownFile)
    {
        if (columns is not null) return Resolve(file, columns, "targets");
        foreach (string name in DefaultTargetNames)
            if (file.Has(name)) return [new ColumnKey(name, null)];
        if (ownFile && WholeFile(file) is { } whole) return whole;
        if (file.IsPair) return [new ColumnKey("1", null)];
        var all = Columns(file);
        if (all is { Count: >= 2 }) return [all[^1]];
        throw new DataFileException(file.Path,
            $"cannot tell which {file.FieldKind}s are the targets (the file has {file.Describe()}); name them in \"targets\"");
    }

    private static List<ColumnKey> ResolveInputs(DataContents file, IReadOnlyList<DataColumn>? columns, bool ownFile, List<ColumnKey>? targetsInSameFile)
    {
        if (columns is not null) return Resolve(file, columns, "inputs");
        foreach (string name in DefaultInputNames)
            if (file.Has(name)) return [new ColumnKey(name, null)];
        if (ownFile && WholeFile(file) is { } whole) return whole;
        if (file.IsPair) return [new ColumnKey("0", null)];
        var all = Columns(file);
        if (all is not null)
        {
            var rest = all.Where(k => targetsInSameFile is null || !targetsInSameFile.Contains(k)).ToList();
            if (rest.Count > 0) return rest;
        }
        throw new DataFileException(file.Path,
            $"cannot tell which {file.FieldKind}s are the inputs (the file has {file.Describe()}); name them in \"inputs\"");
    }

    /// <summary>
    /// Two unnamed integer columns — a pickled list of (a, b) tuples, an int array [n, 2], a header-less CSV — are most
    /// likely the pairs of a modular-arithmetic run, not (input, target); reading them as such would silently train on
    /// nonsense, so the defaults refuse and say what to write instead.
    /// </summary>
    private static void RefuseUnnamedIntegerPair(DataContents file)
    {
        if (file.Has(DefaultTargetNames[0]) || file.Has(DefaultTargetNames[1]) || file.IsPair) return;
        bool positional = file.IsTable ? file.Names.SequenceEqual(["0", "1"]) : file.Names.Count == 1;
        var columns = Columns(file);
        if (!positional || columns is not { Count: 2 }) return;
        var a = columns[0].Column is null ? file.Field(columns[0].Field) : file.Field(columns[0].Field).Column(columns[0].Column!.Value);
        var b = columns[1].Column is null ? file.Field(columns[1].Field) : file.Field(columns[1].Field).Column(columns[1].Column!.Value);
        static bool Integers(NumericArray x) => x.Values.All(v => v >= 0 && v == Math.Floor(v));
        if (a.Shape.Length != 1 || !Integers(a) || !Integers(b)) return;
        throw new DataFileException(file.Path,
            $"holds {a.Rows} rows of two unnamed integers, which look like (a, b) pairs of modular arithmetic rather than (input, target); " +
            "for a modular run use {\"type\": \"modular\", \"p\": ..., \"operation\": ..., \"train\": \"<this file>\"} (docs/tasks.md), " +
            "otherwise say which column is which: \"inputs\": 0, \"targets\": 1");
    }

    /// <summary>A file of the inputs' or targets' own: its only array, or all columns of a table; null otherwise.</summary>
    private static List<ColumnKey>? WholeFile(DataContents file)
    {
        if (file.IsTable) return [.. file.Names.Select(n => new ColumnKey(n, null))];
        return file.Names.Count == 1 ? [new ColumnKey(file.Names[0], null)] : null;
    }

    /// <summary>The columns of a table, or of a file's single 1-D or 2-D array; null when the file has no columns.</summary>
    private static List<ColumnKey>? Columns(DataContents file)
    {
        if (file.IsTable) return [.. file.Names.Select(n => new ColumnKey(n, null))];
        if (file.Names.Count != 1) return null;
        var array = file.Field(file.Names[0]);
        return array.Shape.Length switch
        {
            1 => [new ColumnKey(array.Name, null)],
            2 => [.. Enumerable.Range(0, (int)array.Shape[1]).Select(j => new ColumnKey(array.Name, j))],
            _ => null,
        };
    }

    private static List<ColumnKey> Resolve(DataContents file, IReadOnlyList<DataColumn> columns, string role)
    {
        if (columns.Count == 0) throw new DataFileException(file.Path, $"the {role} select no columns");
        var keys = new List<ColumnKey>(columns.Count);
        foreach (var column in columns)
        {
            if (column.Name is { } name)
            {
                if (!file.Has(name) && file.Unreadable.TryGetValue(name, out string? why))
                    throw new DataFileException(file.Path, $"{file.FieldKind} '{name}' for the {role} cannot be used: {why}");
                if (!file.Has(name))
                    throw new DataFileException(file.Path, $"no {file.FieldKind} named '{name}' for the {role} (the file has {file.Describe()})");
                keys.Add(new ColumnKey(name, null));
                continue;
            }
            int index = column.Index ?? throw new ArgumentException("a column needs a name or an index");
            var all = Columns(file) ?? throw new DataFileException(file.Path,
                $"column index {index} for the {role} needs a table or a single 2-D array, but the file holds the arrays {file.Describe()}; select them by name");
            int resolved = index < 0 ? all.Count + index : index;
            if (resolved < 0 || resolved >= all.Count)
                throw new DataFileException(file.Path, $"column index {index} for the {role} is out of range: the file has {all.Count} column{(all.Count == 1 ? "" : "s")}");
            keys.Add(all[resolved]);
        }
        var duplicate = keys.GroupBy(k => k).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DataFileException(file.Path, $"the {role} select {duplicate.Key.Text} twice");
        return keys;
    }

    /// <summary>One key's array as it is; several keys flattened to [n, k_i] each and concatenated.</summary>
    private static NumericArray Assemble(DataContents file, List<ColumnKey> keys, string role)
    {
        var parts = new List<NumericArray>(keys.Count);
        foreach (var key in keys)
        {
            var field = file.Field(key.Field);
            if (field.Shape.Length == 0)
                throw new DataFileException(file.Path, $"the {role} {file.FieldKind} '{key.Field}' is a single number, not one value per sample");
            parts.Add(key.Column is { } c ? field.Column(c) : field);
        }
        string name = string.Join(", ", keys.Select(k => k.Column is null ? $"'{k.Field}'" : k.Text));
        if (parts.Count == 1) return parts[0].Name == name ? parts[0] : new NumericArray(name, parts[0].Shape, parts[0].Values);
        long rows = parts[0].Rows;
        for (int i = 1; i < parts.Count; i++)
        {
            if (parts[i].Rows != rows)
                throw new DataFileException(file.Path, $"the {role} {keys[i].Text} has {parts[i].Rows} rows, {keys[0].Text} has {rows}");
        }
        long width = parts.Sum(p => p.Width);
        var values = new double[rows * width];
        long offset = 0;
        foreach (var part in parts)
        {
            long w = part.Width;
            for (long r = 0; r < rows; r++) Array.Copy(part.Values, r * w, values, r * width + offset, w);
            offset += w;
        }
        return new NumericArray(name, [rows, width], values);
    }
}
