using System.Buffers.Binary;
using System.Runtime.InteropServices;
using TorchSharp;

namespace DevInterp.Checkpoints;

/// <summary>Conversions of checkpoint tensors to TorchSharp tensors and host arrays.</summary>
public static class CheckpointReaderExtensions
{
    /// <summary>The named tensor's description, or a clear error listing what the file holds.</summary>
    public static TensorInfo GetTensor(this ICheckpointReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var tensors = reader.Tensors;
        // By dictionary, built once per tensor list: a lookup per tensor must not scan the list (200,000 tensors would
        // make reading a file quadratic).
        var byName = Indexes.GetValue(tensors, list =>
        {
            var index = new Dictionary<string, TensorInfo>(list.Count, StringComparer.Ordinal);
            foreach (var t in list) index.TryAdd(t.Name, t);
            return index;
        });
        if (byName.TryGetValue(name, out var info)) return info;
        string known = string.Join(", ", tensors.Take(12).Select(t => PrintableText.Escape(t.Name)));
        if (tensors.Count > 12) known += $", ... ({tensors.Count} in all)";
        throw new KeyNotFoundException($"{reader.Path}: no tensor named '{PrintableText.Escape(name)}' (the file has: {known})");
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<TensorInfo>, Dictionary<string, TensorInfo>> Indexes = new();

    /// <summary>Bytes per piece when a tensor is read or summarised in pieces (a multiple of every element size).</summary>
    internal const int ChunkBytes = 8 << 20;

    /// <summary>The tensor's raw little-endian bytes in its own dtype.</summary>
    /// <exception cref="CheckpointFormatException">The tensor is over 2 GiB (more than one array holds; use <see cref="ReadTorch"/>).</exception>
    public static byte[] ReadBytes(this ICheckpointReader reader, string name)
    {
        var info = reader.GetTensor(name);
        RequireSupported(reader, info);
        if (info.ByteCount > Array.MaxLength)
            throw new CheckpointFormatException(reader.Path, $"tensor '{name}' has {info.ByteCount} bytes, more than one array holds (2 GiB); read it with ReadTorch");
        CheckpointLimits.CheckMemory(reader.Path, name, info.ByteCount);
        var bytes = new byte[info.ByteCount];
        reader.ReadInto(name, bytes);
        return bytes;
    }

    /// <summary>
    /// The tensor as a new TorchSharp CPU tensor, in its own dtype or converted to <paramref name="convertTo"/>
    /// (e.g. float32 or float64 for analysis). A tensor of any size is read (over 2 GiB in pieces).
    /// </summary>
    public static torch.Tensor ReadTorch(this ICheckpointReader reader, string name, torch.ScalarType? convertTo = null)
    {
        var info = reader.GetTensor(name);
        RequireSupported(reader, info);
        CheckpointLimits.CheckMemory(reader.Path, name, info.ByteCount);
        var t = torch.empty(info.Shape.ToArray(), info.DType.ToScalarType());
        try
        {
            if (info.ByteCount > ChunkBytes * 64L) ReadInPieces(reader, info, t);
            else if (info.ElementCount > 0) reader.ReadInto(name, t.bytes);
            if (convertTo is { } target && target != t.dtype)
            {
                var converted = t.to_type(target);
                t.Dispose();
                return converted;
            }
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    // A large tensor piece by piece into narrowed views of its flat form (a span cannot cover more than 2 GiB).
    private static void ReadInPieces(ICheckpointReader reader, TensorInfo info, torch.Tensor target)
    {
        int size = info.DType.ByteSize();
        long perPiece = (ChunkBytes * 64L) / size;
        using var flat = target.view(-1);
        for (long first = 0; first < info.ElementCount; first += perPiece)
        {
            long n = Math.Min(perPiece, info.ElementCount - first);
            using var piece = flat.narrow(0, first, n);
            reader.ReadRange(info.Name, first * size, piece.bytes);
        }
    }

    /// <summary>
    /// Calls <paramref name="consume"/> with the tensor's values as float64, in order, a piece at a time: memory stays at
    /// one piece whatever the tensor's size.
    /// </summary>
    public static void ForEachPiece(this ICheckpointReader reader, string name, Action<ReadOnlySpan<double>> consume)
    {
        ArgumentNullException.ThrowIfNull(consume);
        var dtype = reader.GetTensor(name).DType;
        double[]? values = null;
        reader.ForEachRawPiece(name, raw =>
        {
            int count = raw.Length / dtype.ByteSize();
            values ??= new double[count];
            ConvertToDoubles(dtype, raw, values.AsSpan(0, count));
            consume(values.AsSpan(0, count));
        });
    }

    /// <summary>
    /// Calls <paramref name="consume"/> with the tensor's raw little-endian bytes, in order, a piece of at most
    /// <see cref="ChunkBytes"/> (whole elements) at a time.
    /// </summary>
    internal static void ForEachRawPiece(this ICheckpointReader reader, string name, ReadOnlySpanAction consume)
    {
        var info = reader.GetTensor(name);
        RequireSupported(reader, info);
        long total = info.ByteCount;
        byte[] raw = new byte[(int)Math.Min(total, ChunkBytes)];
        for (long offset = 0; offset < total; offset += raw.Length)
        {
            int n = (int)Math.Min(raw.Length, total - offset);
            reader.ReadRange(name, offset, raw.AsSpan(0, n));
            consume(raw.AsSpan(0, n));
        }
    }

    /// <summary>A callback over a span of bytes.</summary>
    internal delegate void ReadOnlySpanAction(ReadOnlySpan<byte> bytes);

    /// <summary>The tensor's values as float64, row-major (integers and flags converted exactly).</summary>
    public static double[] ReadDoubles(this ICheckpointReader reader, string name)
    {
        var info = reader.GetTensor(name);
        RequireSupported(reader, info);
        if (info.ElementCount > Array.MaxLength)
            throw new CheckpointFormatException(reader.Path, $"tensor '{name}' has {info.ElementCount} elements, more than one array holds; read it with ReadTorch");
        CheckpointLimits.CheckMemory(reader.Path, name, info.ElementCount * sizeof(double));
        var result = new double[info.ElementCount];
        long at = 0;
        reader.ForEachPiece(name, piece =>
        {
            piece.CopyTo(result.AsSpan((int)at));
            at += piece.Length;
        });
        return result;
    }

    /// <summary>The tensor's values as float32, row-major.</summary>
    public static float[] ReadFloats(this ICheckpointReader reader, string name)
    {
        var info = reader.GetTensor(name);
        RequireSupported(reader, info);
        if (info.ElementCount > Array.MaxLength)
            throw new CheckpointFormatException(reader.Path, $"tensor '{name}' has {info.ElementCount} elements, more than one array holds; read it with ReadTorch");
        var result = new float[info.ElementCount];
        long at = 0;
        reader.ForEachPiece(name, piece =>
        {
            for (int i = 0; i < piece.Length; i++) result[at + i] = (float)piece[i];
            at += piece.Length;
        });
        return result;
    }

    /// <summary>Checks that [offset, offset + length) is a range of whole elements inside the tensor's bytes.</summary>
    internal static void CheckRange(TensorInfo info, long offset, long length)
    {
        int size = info.DType.ByteSize();
        if (offset < 0 || length < 0 || offset > info.ByteCount || length > info.ByteCount - offset || offset % size != 0 || length % size != 0)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes [{offset}, +{length}) are not whole elements of tensor '{PrintableText.Escape(info.Name)}' ({info.ByteCount} bytes)");
    }

    /// <summary>Converts little-endian raw values of <paramref name="dtype"/> to float64.</summary>
    public static void ConvertToDoubles(TensorDType dtype, ReadOnlySpan<byte> raw, Span<double> result)
    {
        int n = result.Length;
        switch (dtype)
        {
            case TensorDType.Float64:
                MemoryMarshal.Cast<byte, double>(raw).CopyTo(result);
                break;
            case TensorDType.Float32:
                { var s = MemoryMarshal.Cast<byte, float>(raw); for (int i = 0; i < n; i++) result[i] = s[i]; }
                break;
            case TensorDType.Float16:
                { var s = MemoryMarshal.Cast<byte, Half>(raw); for (int i = 0; i < n; i++) result[i] = (double)s[i]; }
                break;
            case TensorDType.BFloat16:
                for (int i = 0; i < n; i++)
                    result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16);
                break;
            case TensorDType.Int64:
                { var s = MemoryMarshal.Cast<byte, long>(raw); for (int i = 0; i < n; i++) result[i] = s[i]; }
                break;
            case TensorDType.Int32:
                { var s = MemoryMarshal.Cast<byte, int>(raw); for (int i = 0; i < n; i++) result[i] = s[i]; }
                break;
            case TensorDType.Int16:
                { var s = MemoryMarshal.Cast<byte, short>(raw); for (int i = 0; i < n; i++) result[i] = s[i]; }
                break;
            case TensorDType.Int8:
                for (int i = 0; i < n; i++) result[i] = (sbyte)raw[i];
                break;
            case TensorDType.UInt8:
                for (int i = 0; i < n; i++) result[i] = raw[i];
                break;
            case TensorDType.Bool:
                for (int i = 0; i < n; i++) result[i] = raw[i] != 0 ? 1 : 0;
                break;
            default:
                throw new NotSupportedException($"dtype {dtype.SafetensorsCode()} cannot be converted");
        }
    }

    internal static void RequireSupported(ICheckpointReader reader, TensorInfo info)
    {
        if (!info.DType.IsSupported())
        {
            throw new CheckpointFormatException(reader.Path,
                $"tensor '{info.Name}' has dtype {info.DType.SafetensorsCode()}, which DevInterp cannot read " +
                $"(supported: {string.Join(", ", TensorDTypes.Supported.Select(d => d.SafetensorsCode()))}); " +
                "convert it to one of those before saving");
        }
    }
}
