using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Re-implementations of the allowlisted callables (REDUCE/NEWOBJ/INST/OBJ) and of BUILD on allowlisted objects.
/// Anything else is refused: no code from the file is ever run.
/// </summary>
internal static class PickleCalls
{
    public static object Call(object callable, object args, UnpickleContext ctx)
    {
        if (callable is not PyGlobal g)
            throw ctx.Fail($"cannot call a {PyTypes.Name(callable)} (only allowlisted functions are called)");
        if (args is not PyTuple tuple)
            throw ctx.Fail($"arguments to {g.FullName} must be a tuple, not {PyTypes.Name(args)}");
        object[] a = tuple.Items;
        switch (g.Kind)
        {
            case AllowedGlobal.OrderedDict:
                return NewDict(g, a, ctx);
            case AllowedGlobal.RebuildTensor:
                Arity(g, a, 4, 4, ctx);
                return RebuildTensor(g, a[0], a[1], a[2], a[3], null, ctx);
            case AllowedGlobal.RebuildTensorV2:
                Arity(g, a, 6, 7, ctx);
                return RebuildTensor(g, a[0], a[1], a[2], a[3], null, ctx);
            case AllowedGlobal.RebuildTensorV3:
                {
                    Arity(g, a, 7, 8, ctx);
                    if (a[6] is not PyGlobal { Kind: AllowedGlobal.TorchDType, DType: { } dtype })
                        throw ctx.Fail($"{g.FullName}: argument 7 must be a torch dtype, not {PyTypes.Name(a[6])}");
                    return RebuildTensor(g, a[0], a[1], a[2], a[3], dtype, ctx);
                }
            case AllowedGlobal.RebuildParameter:
                Arity(g, a, 3, 3, ctx);
                return AsParameter(g, a[0], ctx);
            case AllowedGlobal.RebuildParameterWithState:
                Arity(g, a, 4, 4, ctx);
                return AsParameter(g, a[0], ctx);
            case AllowedGlobal.RebuildFromTypeV2:
                {
                    Arity(g, a, 3, 4, ctx);
                    if (a[1] is not PyGlobal { Kind: AllowedGlobal.TensorClass })
                        throw ctx.Fail($"{g.FullName}: the type must be torch.Tensor or torch.nn.Parameter, not {PyTypes.Name(a[1])}");
                    if (a[0] is not PyGlobal { Kind: AllowedGlobal.RebuildTensor or AllowedGlobal.RebuildTensorV2 or AllowedGlobal.RebuildTensorV3 or AllowedGlobal.RebuildParameter })
                        throw ctx.Fail($"{g.FullName}: the function must be a tensor rebuild function, not {PyTypes.Name(a[0])}");
                    object result = Call(a[0], a[2], ctx);
                    return result is TorchTensorRef ? result : throw ctx.Fail($"{g.FullName} did not produce a tensor");
                }
            case AllowedGlobal.TorchSize:
                {
                    Arity(g, a, 0, 1, ctx);
                    if (a.Length == 0) return PyTuple.Empty;
                    var items = a[0] switch { PyTuple t => t.Items, PyList l => l.Items.ToArray(), _ => null };
                    if (items is null || items.Any(x => !PyTypes.TryGetInt64(x, out _)))
                        throw ctx.Fail($"torch.Size expects a sequence of integers, not {PyTypes.Name(a[0])}");
                    return new PyTuple(items);
                }
            case AllowedGlobal.TorchDevice:
                {
                    Arity(g, a, 1, 2, ctx);
                    if (a[0] is not string type) throw ctx.Fail($"torch.device expects a string, not {PyTypes.Name(a[0])}");
                    return a.Length == 2 && PyTypes.TryGetInt64(a[1], out long index) ? $"{type}:{index}" : type;
                }
            case AllowedGlobal.BuiltinSet:
            case AllowedGlobal.BuiltinFrozenSet:
                {
                    Arity(g, a, 0, 1, ctx);
                    var items = a.Length == 0 ? [] : a[0] switch
                    {
                        PyList l => new List<object>(l.Items),
                        PyTuple t => [.. t.Items],
                        PySet s => new List<object>(s.Items),
                        _ => throw ctx.Fail($"{g.FullName} expects a list, tuple or set, not {PyTypes.Name(a[0])}"),
                    };
                    return new PySet(items, g.Kind == AllowedGlobal.BuiltinFrozenSet);
                }
            case AllowedGlobal.BuiltinSlice:
                Arity(g, a, 1, 3, ctx);
                return a.Length switch
                {
                    1 => new PySlice(PyNone.Instance, a[0], PyNone.Instance),
                    2 => new PySlice(a[0], a[1], PyNone.Instance),
                    _ => new PySlice(a[0], a[1], a[2]),
                };
            case AllowedGlobal.BuiltinComplex:
                Arity(g, a, 0, 2, ctx);
                return new PyComplex(a.Length > 0 ? ToDouble(g, a[0], ctx) : 0, a.Length > 1 ? ToDouble(g, a[1], ctx) : 0);
            case AllowedGlobal.BuiltinByteArray:
                Arity(g, a, 0, 2, ctx);
                return a.Length switch
                {
                    0 => Array.Empty<byte>(),
                    1 when a[0] is byte[] b => (byte[])b.Clone(),
                    _ => Encode(g, a, ctx),
                };
            case AllowedGlobal.CodecsEncode:
                Arity(g, a, 1, 2, ctx);
                return Encode(g, a, ctx);
            case AllowedGlobal.NumpyDType:
                {
                    Arity(g, a, 1, 3, ctx);
                    if (a[0] is not string code || code.Length > 32) throw ctx.Fail($"numpy.dtype expects a short type code, not {PyTypes.Name(a[0])}");
                    return new NumpyDType(code);
                }
            case AllowedGlobal.NumpyScalar:
                {
                    Arity(g, a, 1, 2, ctx);
                    if (a[0] is not NumpyDType dtype) throw ctx.Fail($"numpy scalar expects a numpy.dtype, not {PyTypes.Name(a[0])}");
                    if (a.Length < 2 || a[1] is not byte[] raw) throw ctx.Fail("numpy scalar of an object dtype is not supported");
                    return NumpyScalarValue(dtype, raw);
                }
            case AllowedGlobal.NumpyReconstruct:
                {
                    Arity(g, a, 3, 3, ctx);
                    if (a[0] is not PyGlobal { Kind: AllowedGlobal.NumpyNDArray })
                        throw ctx.Fail($"numpy _reconstruct only builds numpy.ndarray, not {PyTypes.Name(a[0])}");
                    return new NumpyArray();
                }
            default:
                throw ctx.Fail($"'{g.FullName}' may be named but not called");
        }
    }

    /// <summary>BUILD: sets the state of an allowlisted object.</summary>
    public static void Build(object target, object state, UnpickleContext ctx)
    {
        switch (target)
        {
            case PyDict dict:
                {
                    // OrderedDict state: {'_metadata': ...} or (dict, slots); kept apart from the entries.
                    var attributes = state switch
                    {
                        PyDict d => d,
                        PyTuple { Count: 2 } t when t.Items[0] is PyDict d0 => d0,
                        PyTuple { Count: 2 } t when t.Items[0] is PyNone && t.Items[1] is PyDict d1 => d1,
                        PyNone => null,
                        _ => throw ctx.Fail($"BUILD on a dict with a {PyTypes.Name(state)} state"),
                    };
                    if (attributes is not null) dict.Attributes = attributes;
                    return;
                }
            case NumpyDType dtype:
                if (state is PyTuple { Count: > 1 } ds && ds.Items[1] is string order && order.Length == 1) dtype.ByteOrder = order[0];
                return;
            case NumpyArray array:
                {
                    if (state is not PyTuple { Count: 5 } s || s.Items[1] is not PyTuple shape || s.Items[2] is not NumpyDType dt)
                        throw ctx.Fail($"BUILD on numpy.ndarray with an unexpected {PyTypes.Name(state)} state");
                    array.Shape = shape;
                    array.DType = dt;
                    array.Data = s.Items[4];
                    array.FortranOrder = s.Items[3] is true;
                    return;
                }
            case TorchTensorRef:
                // Tensor subclasses may carry a __dict__ state; it holds no weights, so it is dropped.
                if (state is PyDict or PyNone or PyTuple) return;
                throw ctx.Fail($"BUILD on a tensor with a {PyTypes.Name(state)} state");
            default:
                throw ctx.Fail($"BUILD on {PyTypes.Name(target)} is not allowed");
        }
    }

    private static object UnsignedValue(ulong value) => value <= long.MaxValue ? (long)value : new BigInteger(value);

    private static void Arity(PyGlobal g, object[] a, int min, int max, UnpickleContext ctx)
    {
        if (a.Length < min || a.Length > max)
            throw ctx.Fail($"{g.FullName} takes {(min == max ? $"{min}" : $"{min} to {max}")} arguments, the pickle passes {a.Length}");
    }

    private static PyDict NewDict(PyGlobal g, object[] a, UnpickleContext ctx)
    {
        var dict = new PyDict();
        if (a.Length == 0) return dict;
        if (a.Length > 1) throw ctx.Fail($"{g.FullName} takes at most 1 argument");
        IEnumerable<object> pairs = a[0] switch
        {
            PyList l => l.Items,
            PyTuple t => t.Items,
            PyDict d => d.Entries.Select(e => (object)new PyTuple([e.Key, e.Value])),
            _ => throw ctx.Fail($"{g.FullName} expects a list of pairs, not {PyTypes.Name(a[0])}"),
        };
        try
        {
            foreach (object pair in pairs)
            {
                object[]? kv = pair switch { PyTuple { Count: 2 } t => t.Items, PyList { Items.Count: 2 } l => [l.Items[0], l.Items[1]], _ => null };
                if (kv is null) throw ctx.Fail($"{g.FullName} expects (key, value) pairs, not {PyTypes.Name(pair)}");
                dict.Set(kv[0], kv[1]);
            }
        }
        catch (UnhashableKeyException e)
        {
            throw ctx.Fail(e.Message);
        }
        return dict;
    }

    private static TorchTensorRef RebuildTensor(PyGlobal g, object storageArg, object offsetArg, object sizeArg, object strideArg,
        TensorDType? explicitDType, UnpickleContext ctx)
    {
        if (storageArg is PyTuple inline && ctx.StorageTuplesAreIds && ctx.PersistentLoad is not null) storageArg = ctx.PersistentLoad(inline);
        if (storageArg is not TorchStorageRef storage)
            throw ctx.Fail($"{g.FullName}: argument 1 must be a storage, not {PyTypes.Name(storageArg)}");
        if (!PyTypes.TryGetInt64(offsetArg, out long offset))
            throw ctx.Fail($"{g.FullName}: the storage offset must be an integer, not {PyTypes.Name(offsetArg)}");
        long[] shape = IntTuple(g, "size", sizeArg, ctx);
        long[] stride = IntTuple(g, "stride", strideArg, ctx);
        TensorDType dtype = explicitDType ?? storage.DType;
        if (explicitDType is { } d && storage.DType != d && storage.DType != TensorDType.UInt8)
            throw ctx.Fail($"{g.FullName}: dtype {d.TorchName()} does not match storage of {storage.DType.TorchName()}");
        var tensor = TorchTensorRef.Create(storage, dtype, offset, shape, stride, out string? error);
        return error is null ? tensor : throw ctx.Fail($"invalid tensor: {error}");
    }

    private static long[] IntTuple(PyGlobal g, string what, object value, UnpickleContext ctx)
    {
        var items = value switch { PyTuple t => t.Items, PyList l => l.Items.ToArray(), _ => null };
        if (items is null) throw ctx.Fail($"{g.FullName}: {what} must be a tuple of integers, not {PyTypes.Name(value)}");
        if (items.Length > TorchTensorRef.MaxDimensions) throw ctx.Fail($"{g.FullName}: {what} has {items.Length} dimensions");
        var result = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (!PyTypes.TryGetInt64(items[i], out result[i]))
                throw ctx.Fail($"{g.FullName}: {what} must hold integers, not {PyTypes.Name(items[i])}");
        }
        return result;
    }

    private static TorchTensorRef AsParameter(PyGlobal g, object data, UnpickleContext ctx) =>
        data is TorchTensorRef t
            ? t.AsParameter()
            : throw ctx.Fail($"{g.FullName}: argument 1 must be a tensor, not {PyTypes.Name(data)}");

    private static double ToDouble(PyGlobal g, object value, UnpickleContext ctx) => value switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger big => (double)big,
        _ => throw ctx.Fail($"{g.FullName} expects numbers, not {PyTypes.Name(value)}"),
    };

    // _codecs.encode(text, 'latin1') is how protocol 2 writes Python 3 bytes (each char is one byte).
    private static byte[] Encode(PyGlobal g, object[] a, UnpickleContext ctx)
    {
        if (a[0] is not string text) throw ctx.Fail($"{g.FullName} expects a string, not {PyTypes.Name(a[0])}");
        string encoding = a.Length > 1 && a[1] is string e ? e.ToLowerInvariant().Replace('_', '-') : "utf-8";
        switch (encoding)
        {
            case "latin1" or "latin-1" or "iso-8859-1" or "iso8859-1" or "l1":
                {
                    var bytes = new byte[text.Length];
                    for (int i = 0; i < text.Length; i++)
                    {
                        if (text[i] > 0xFF) throw ctx.Fail($"{g.FullName}: character U+{(int)text[i]:X4} cannot be encoded as latin1");
                        bytes[i] = (byte)text[i];
                    }
                    return bytes;
                }
            case "utf-8" or "utf8":
                return Encoding.UTF8.GetBytes(text);
            default:
                throw ctx.Fail($"{g.FullName}: encoding '{encoding}' is not supported (latin1 and utf-8 are)");
        }
    }

    /// <summary>A numpy scalar as a CLR value (bool, long, BigInteger, double) where it has one; opaque otherwise.</summary>
    private static object NumpyScalarValue(NumpyDType dtype, byte[] raw)
    {
        int size = dtype.ItemSize;
        if (size != raw.Length) return new NumpyScalar(dtype, raw);
        bool big = dtype.ByteOrder == '>';
        Span<byte> b = stackalloc byte[8];
        if (size is 1 or 2 or 4 or 8)
        {
            raw.CopyTo(b);
            if (big) b[..size].Reverse();
        }
        return (dtype.Kind, size) switch
        {
            ('b', 1) => raw[0] != 0,
            ('i', 1) => (long)(sbyte)b[0],
            ('i', 2) => (long)BinaryPrimitives.ReadInt16LittleEndian(b),
            ('i', 4) => (long)BinaryPrimitives.ReadInt32LittleEndian(b),
            ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(b),
            ('u', 1) => (long)b[0],
            ('u', 2) => (long)BinaryPrimitives.ReadUInt16LittleEndian(b),
            ('u', 4) => (long)BinaryPrimitives.ReadUInt32LittleEndian(b),
            ('u', 8) => UnsignedValue(BinaryPrimitives.ReadUInt64LittleEndian(b)),
            ('f', 2) => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
            ('f', 4) => (double)BinaryPrimitives.ReadSingleLittleEndian(b),
            ('f', 8) => BinaryPrimitives.ReadDoubleLittleEndian(b),
            _ => new NumpyScalar(dtype, raw),
        };
    }
}
