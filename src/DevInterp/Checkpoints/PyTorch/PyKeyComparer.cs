using System.Numerics;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Dict-key equality with Python's rules for the hashable values a checkpoint uses (str, int, float, bool, None, bytes,
/// tuples of those; other objects by identity). Lists, dicts and sets are unhashable, as in Python. Tuple nesting is
/// bounded so a hostile key cannot exhaust the stack.
/// </summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public const int MaxKeyDepth = 32;

    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => AreEqual(x, y, 0);

    public int GetHashCode(object obj) => Hash(obj, 0);

    private static bool AreEqual(object? x, object? y, int depth)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x is null || y is null) return false;
        if (depth > MaxKeyDepth) throw new UnhashableKeyException($"dict key nested deeper than {MaxKeyDepth} levels");
        if (IsNumber(x) && IsNumber(y)) return NumericEquals(x, y);
        return (x, y) switch
        {
            (string a, string b) => a == b,
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (PyTuple a, PyTuple b) => TupleEquals(a, b, depth),
            (PyGlobal a, PyGlobal b) => a.FullName == b.FullName,
            (PyComplex a, PyComplex b) => a == b,
            _ => false,
        };
    }

    private static bool TupleEquals(PyTuple a, PyTuple b, int depth)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (!AreEqual(a.Items[i], b.Items[i], depth + 1)) return false;
        }
        return true;
    }

    private static int Hash(object obj, int depth)
    {
        if (depth > MaxKeyDepth) throw new UnhashableKeyException($"dict key nested deeper than {MaxKeyDepth} levels");
        switch (obj)
        {
            case string s: return s.GetHashCode(StringComparison.Ordinal);
            case bool b: return (b ? 1L : 0L).GetHashCode();
            case long l: return l.GetHashCode();
            case BigInteger big: return big.GetHashCode();
            case double d: return d == Math.Floor(d) && Math.Abs(d) < 9.2e18 ? ((long)d).GetHashCode() : d.GetHashCode();
            case byte[] bytes:
                {
                    var h = new HashCode();
                    h.AddBytes(bytes);
                    return h.ToHashCode();
                }
            case PyTuple t:
                {
                    var h = new HashCode();
                    foreach (object item in t.Items) h.Add(Hash(item, depth + 1));
                    return h.ToHashCode();
                }
            case PyGlobal g: return g.FullName.GetHashCode(StringComparison.Ordinal);
            case PyComplex c: return c.GetHashCode();
            case PyList or PyDict or PySet or NumpyArray:
                throw new UnhashableKeyException($"unhashable dict key of type {PyTypes.Name(obj)}");
            default: return System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
        }
    }

    private static bool IsNumber(object o) => o is long or bool or BigInteger or double;

    private static bool NumericEquals(object x, object y)
    {
        if (x is double dx) return y is double dy ? dx == dy : IntegralEquals(dx, ToBig(y));
        if (y is double dy2) return IntegralEquals(dy2, ToBig(x));
        return ToBig(x) == ToBig(y);
    }

    private static bool IntegralEquals(double d, BigInteger i) =>
        !double.IsNaN(d) && !double.IsInfinity(d) && d == Math.Floor(d) && new BigInteger(d) == i;

    private static BigInteger ToBig(object o) => o switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => big,
        _ => BigInteger.Zero,
    };
}

/// <summary>A dict key Python could not hash (list, dict, set) or one nested too deeply.</summary>
internal sealed class UnhashableKeyException(string message) : Exception(message);
