using System.Globalization;
using System.Numerics;

namespace DevInterp.Checkpoints.PyTorch;

// The values a restricted unpickle produces. Python scalars map to CLR values: str -> string, int -> long (or
// BigInteger when it does not fit), float -> double, bool -> bool, bytes/bytearray -> byte[]. Containers and the few
// allowlisted objects get the small classes below; nothing here can run code.

/// <summary>Python's None.</summary>
internal sealed class PyNone
{
    public static readonly PyNone Instance = new();

    private PyNone() { }

    public override string ToString() => "None";
}

/// <summary>A Python list (mutable: APPEND/APPENDS add to it).</summary>
internal sealed class PyList(List<object> items)
{
    public List<object> Items { get; } = items;
}

/// <summary>A Python tuple.</summary>
internal sealed class PyTuple(object[] items)
{
    public static readonly PyTuple Empty = new([]);

    public object[] Items { get; } = items;

    public int Count => Items.Length;
}

/// <summary>A Python set or frozenset (kept as a list: nothing here needs set semantics).</summary>
internal sealed class PySet(List<object> items, bool frozen)
{
    public List<object> Items { get; } = items;

    public bool Frozen { get; } = frozen;
}

/// <summary>A Python complex number.</summary>
internal sealed record PyComplex(double Real, double Imaginary);

/// <summary>A Python slice.</summary>
internal sealed record PySlice(object Start, object Stop, object Step);

/// <summary>
/// A dict or OrderedDict: entries in insertion order, re-setting a key keeps its place (as in Python). Attributes set by
/// BUILD (a state dict's <c>_metadata</c>) are kept apart from the entries.
/// </summary>
internal sealed class PyDict
{
    private readonly List<KeyValuePair<object, object>> _entries = [];
    private readonly Dictionary<object, int> _index = new(PyKeyComparer.Instance);

    public IReadOnlyList<KeyValuePair<object, object>> Entries => _entries;

    public int Count => _entries.Count;

    /// <summary>Attributes from BUILD (e.g. <c>_metadata</c> of a module state dict); never part of the entries.</summary>
    public PyDict? Attributes { get; set; }

    public void Set(object key, object value)
    {
        if (_index.TryGetValue(key, out int i)) _entries[i] = new(_entries[i].Key, value);
        else
        {
            _index[key] = _entries.Count;
            _entries.Add(new(key, value));
        }
    }

    public bool TryGetValue(object key, out object value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            value = _entries[i].Value;
            return true;
        }
        value = PyNone.Instance;
        return false;
    }
}

/// <summary>A global that the allowlist let through (a callable, a class used as a marker, or a constant such as a dtype).</summary>
internal sealed record PyGlobal(string Module, string Name, AllowedGlobal Kind, TensorDType? DType = null)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>A numpy dtype from <c>numpy.dtype(code, align, copy)</c> plus the byte order its BUILD state sets.</summary>
internal sealed class NumpyDType(string code)
{
    public string Code { get; } = code;

    /// <summary>'&lt;', '&gt;', '|' or '=' (native, i.e. little-endian here).</summary>
    public char ByteOrder { get; set; } = '=';

    public char Kind => Code.Length > 0 ? Code[0] : '?';

    public int ItemSize => Code.Length > 1 && int.TryParse(Code.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1;
}

/// <summary>A numpy scalar whose dtype has no plain CLR equivalent here (strings, dates, complex): kept opaque.</summary>
internal sealed record NumpyScalar(NumpyDType DType, byte[] Raw);

/// <summary>A numpy array from <c>numpy.core.multiarray._reconstruct</c> + BUILD: kept as an opaque value, not a tensor.</summary>
internal sealed class NumpyArray
{
    public PyTuple Shape { get; set; } = PyTuple.Empty;

    public NumpyDType? DType { get; set; }

    public object? Data { get; set; }

    /// <summary>True when the data are in column-major (Fortran) order.</summary>
    public bool FortranOrder { get; set; }
}

/// <summary>Python-like names of unpickled values, for messages.</summary>
internal static class PyTypes
{
    public static string Name(object? value) => value switch
    {
        null => "nothing",
        PyNone => "None",
        bool => "bool",
        long or BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        PyList => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        PySet s => s.Frozen ? "frozenset" : "set",
        PyComplex => "complex",
        PySlice => "slice",
        PyGlobal g => g.FullName,
        TorchTensorRef => "tensor",
        TorchStorageRef => "storage",
        NumpyDType => "numpy.dtype",
        NumpyScalar => "numpy scalar",
        NumpyArray => "numpy.ndarray",
        _ => value.GetType().Name,
    };

    /// <summary>An integer value as long, when it is one and fits.</summary>
    public static bool TryGetInt64(object value, out long result)
    {
        switch (value)
        {
            case long l: result = l; return true;
            case bool b: result = b ? 1 : 0; return true;
            case BigInteger big when big >= long.MinValue && big <= long.MaxValue: result = (long)big; return true;
            default: result = 0; return false;
        }
    }
}
