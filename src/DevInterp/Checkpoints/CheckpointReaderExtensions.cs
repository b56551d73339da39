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
        foreach (var t in reader.Tensors)
        {
            if (t.Name == name) return t;
        }
        string known = string.Join(", ", reader.Tensors.Take(12).Select(t => t.Name));
        if (reader.Tensors.Count > 12) known += $", ... ({reader.Tensors.Count} in all)";
        throw new KeyNotFoundException($"{reader.Path}: no tensor named '{name}' (the file has: {known})");
    }

    /// <summary>The tensor's raw little-endian bytes in its own dtype.</summary>
    public static byte[] ReadBytes(this ICheckpointReader reader, string name)
    {
        var info = reader.GetTensor(name);
        RequireSupported(reader, info);
        var bytes = new byte[info.ByteCount];
        reader.ReadInto(name, bytes);
        return bytes;
    }

    /// <summary>
    /// The tensor as a new TorchSharp CPU tensor, in its own dtype or converted to <paramref name="convertTo"/>
    /// (e.g. float32 or float64 for analysis).
    /// </summary>
    public static torch.Tensor ReadTorch(this ICheckpointReader reader, string name, torch.ScalarType? convertTo = null)
    {
        var info = reader.GetTensor(name);
        RequireSupported(reader, info);
        var t = torch.empty(info.Shape.ToArray(), info.DType.ToScalarType());
        try
        {
            if (info.ElementCount > 0) reader.ReadInto(name, t.bytes);
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

    /// <summary>The tensor's values as float64, row-major (integers and flags converted exactly).</summary>
    public static double[] ReadDoubles(this ICheckpointReader reader, string name)
    {
        var info = reader.GetTensor(name);
        byte[] raw = reader.ReadBytes(name);
        var result = new double[info.ElementCount];
        ConvertToDoubles(info.DType, raw, result);
        return result;
    }

    /// <summary>The tensor's values as float32, row-major.</summary>
    public static float[] ReadFloats(this ICheckpointReader reader, string name)
    {
        double[] d = reader.ReadDoubles(name);
        var f = new float[d.Length];
        for (int i = 0; i < d.Length; i++) f[i] = (float)d[i];
        return f;
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
