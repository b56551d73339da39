using System.Globalization;
using System.Numerics;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.PyTorch;

namespace DevInterp.Tasks.Files;

/// <summary>
/// Reads data from a torch.save file (zip or legacy layout) through the checkpoint reader's restricted unpickler, so
/// only allowlisted globals are accepted and nothing in the file runs. The pickled object (or the part a dotted
/// <c>key</c> selects) becomes fields:
/// <list type="bullet">
/// <item>a dict: one field per entry (tensor, numpy array, or nested list/tuple of numbers), named by its key;</item>
/// <item>a tensor or numpy array: one field <c>tensor</c>;</item>
/// <item>a tuple or list of tensors/arrays (<c>torch.save((x, y))</c>): fields <c>0</c>, <c>1</c>, ...;</item>
/// <item>a list of numbers: one field <c>values</c>;</item>
/// <item>a list of samples, each a tuple/list of m items: a table with columns <c>0</c>..<c>m−1</c> when every item is a
/// number, otherwise fields <c>0</c>..<c>m−1</c> stacking item j of every sample (e.g. [(features, label), ...]).</item>
/// </list>
/// </summary>
internal static class PickleDataFile
{
    private const int MaxDepth = 64;

    public static DataContents Open(string path, string? key)
    {
        DataFiles.RequireFile(path);
        PickledObjectFile file;
        try
        {
            file = PickledObjectFile.Open(path);
        }
        catch (CheckpointFormatException e)
        {
            throw new DataFileException(path, e.Reason, e);
        }
        try
        {
            object root = string.IsNullOrEmpty(key) ? file.Root : Resolve(file.Root, key, path);
            return FromObject(root, file, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static object Resolve(object root, string key, string path)
    {
        object current = root;
        string walked = "";
        foreach (string part in key.Split('.'))
        {
            object? next = null;
            switch (current)
            {
                case PyDict dict:
                    if (dict.TryGetValue(part, out object byName)) next = byName;
                    else if (long.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long k) && dict.TryGetValue(k, out object byNumber))
                        next = byNumber;
                    break;
                case PyList or PyTuple:
                    var items = Items(current)!;
                    if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < items.Count) next = items[i];
                    break;
            }
            if (next is null)
            {
                string at = walked.Length == 0 ? "the pickled object" : $"'{walked}'";
                throw new DataFileException(path, $"key '{key}': {at} has no entry '{part}' (it is {StateDictLocator.Describe(current)})");
            }
            walked = walked.Length == 0 ? part : walked + "." + part;
            current = next;
        }
        return current;
    }

    private static DataContents FromObject(object root, PickledObjectFile file, string path)
    {
        switch (root)
        {
            case PyDict dict:
                {
                    var entries = new Dictionary<string, object>(StringComparer.Ordinal);
                    var names = new List<string>();
                    foreach (var (k, v) in dict.Entries)
                    {
                        string? name = StateDictLocator.KeyText(k);
                        if (name is not null && entries.TryAdd(name, v)) names.Add(name);
                    }
                    if (names.Count == 0) throw new DataFileException(path, $"the pickled dict has no string keys ({StateDictLocator.Describe(dict)})");
                    return new DataContents(path, names, name => ToArray(entries[name], name, file, path, 0), isTable: false, owner: file);
                }
            case TorchTensorRef or NumpyArray:
                return new DataContents(path, ["tensor"], name => ToArray(root, name, file, path, 0), isTable: false, owner: file);
            case PyList or PyTuple:
                {
                    var items = Items(root)!;
                    if (items.Count == 0) throw new DataFileException(path, $"the pickled {PyTypes.Name(root)} is empty");
                    if (items.All(i => i is TorchTensorRef or NumpyArray))
                    {
                        var names = Enumerable.Range(0, items.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                        return new DataContents(path, names, name => ToArray(items[int.Parse(name, CultureInfo.InvariantCulture)], name, file, path, 0), isTable: false, owner: file);
                    }
                    if (items.All(IsNumber))
                        return new DataContents(path, ["values"], name => ToArray(root, name, file, path, 0), isTable: false, owner: file);
                    return Samples(items, file, path);
                }
            default:
                throw new DataFileException(path, $"the pickled object is {StateDictLocator.Describe(root)}; expected a dict of arrays, a tensor, or a list of samples");
        }
    }

    /// <summary>A list of samples, each a tuple or list of the same number of items.</summary>
    private static DataContents Samples(IReadOnlyList<object> samples, PickledObjectFile file, string path)
    {
        var first = Items(samples[0]) ?? throw new DataFileException(path,
            $"sample 0 of the pickled list is a {PyTypes.Name(samples[0])}; expected each sample to be a tuple or list (e.g. (features, label))");
        int m = first.Count;
        if (m == 0) throw new DataFileException(path, "sample 0 of the pickled list is empty");
        bool allNumbers = true;
        for (int s = 0; s < samples.Count; s++)
        {
            var items = Items(samples[s]) ?? throw new DataFileException(path, $"sample {s} of the pickled list is a {PyTypes.Name(samples[s])}, sample 0 a {PyTypes.Name(samples[0])}");
            if (items.Count != m) throw new DataFileException(path, $"sample {s} of the pickled list has {items.Count} items, sample 0 has {m}");
            if (allNumbers && !items.All(IsNumber)) allNumbers = false;
        }
        var names = Enumerable.Range(0, m).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (allNumbers)
        {
            var columns = new List<NumericArray>(m);
            for (int j = 0; j < m; j++)
            {
                var values = new double[samples.Count];
                for (int s = 0; s < samples.Count; s++) values[s] = Number(Items(samples[s])![j], $"sample {s} item {j}", path);
                columns.Add(new NumericArray(names[j], [samples.Count], values));
            }
            file.Dispose();
            return DataContents.Table(path, columns);
        }
        NumericArray Component(string name)
        {
            int j = int.Parse(name, CultureInfo.InvariantCulture);
            return Stack(samples.Select(s => Items(s)![j]).ToList(), name, $"item {j} of the samples", file, path, 0);
        }
        return new DataContents(path, names, Component, isTable: false, owner: file);
    }

    private static NumericArray ToArray(object value, string name, PickledObjectFile file, string path, int depth)
    {
        switch (value)
        {
            case TorchTensorRef tensor:
                try
                {
                    return new NumericArray(name, [.. tensor.Shape], file.ReadDoubles(tensor));
                }
                catch (CheckpointFormatException e)
                {
                    throw new DataFileException(path, $"'{name}': {e.Reason}", e);
                }
            case NumpyArray array:
                try
                {
                    var values = file.ReadDoubles(array, out long[] shape);
                    return new NumericArray(name, shape, values);
                }
                catch (CheckpointFormatException e)
                {
                    throw new DataFileException(path, $"'{name}': {e.Reason}", e);
                }
            case PyList or PyTuple:
                return Stack(Items(value)!, name, $"'{name}'", file, path, depth);
            default:
                if (IsNumber(value)) return new NumericArray(name, [], [Number(value, $"'{name}'", path)]);
                throw new DataFileException(path, $"'{name}' is a {PyTypes.Name(value)}; expected a tensor, a numpy array or a (nested) list of numbers");
        }
    }

    /// <summary>Items of equal shape stacked along a new first dimension.</summary>
    private static NumericArray Stack(IReadOnlyList<object> items, string name, string what, PickledObjectFile file, string path, int depth)
    {
        if (depth > MaxDepth) throw new DataFileException(path, $"{what} is nested more than {MaxDepth} levels deep");
        if (items.All(IsNumber))
        {
            var flat = new double[items.Count];
            for (int i = 0; i < items.Count; i++) flat[i] = Number(items[i], $"{what}[{i}]", path);
            return new NumericArray(name, [items.Count], flat);
        }
        var parts = new NumericArray[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            parts[i] = ToArray(items[i], name, file, path, depth + 1);
            if (i > 0 && !parts[i].Shape.SequenceEqual(parts[0].Shape))
                throw new DataFileException(path, $"{what}: entry {i} has shape {parts[i].ShapeText}, entry 0 has {parts[0].ShapeText} (ragged data cannot be stacked)");
        }
        long[] inner = items.Count == 0 ? [] : parts[0].Shape;
        long per = inner.Aggregate(1L, (a, b) => a * b);
        var values = new double[items.Count * per];
        for (int i = 0; i < items.Count; i++) Array.Copy(parts[i].Values, 0, values, i * per, per);
        return new NumericArray(name, [items.Count, .. inner], values);
    }

    private static IReadOnlyList<object>? Items(object value) => value switch
    {
        PyList l => l.Items,
        PyTuple t => t.Items,
        _ => null,
    };

    private static bool IsNumber(object value) => value is long or double or bool or BigInteger;

    private static double Number(object value, string what, string path) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        BigInteger big => (double)big,
        _ => throw new DataFileException(path, $"{what} is a {PyTypes.Name(value)}; expected a number"),
    };
}
