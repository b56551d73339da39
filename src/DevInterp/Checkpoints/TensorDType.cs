using TorchSharp;

namespace DevInterp.Checkpoints;

/// <summary>Element types a checkpoint tensor can hold. Values past <see cref="Bool"/> are recognised in files but cannot be read.</summary>
public enum TensorDType
{
    /// <summary>IEEE 754 binary64.</summary>
    Float64,
    /// <summary>IEEE 754 binary32.</summary>
    Float32,
    /// <summary>IEEE 754 binary16.</summary>
    Float16,
    /// <summary>bfloat16 (the upper half of a binary32).</summary>
    BFloat16,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Signed 16-bit integer.</summary>
    Int16,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>Boolean, one byte per element.</summary>
    Bool,
    /// <summary>Unsigned 16-bit integer (recognised, not readable: TorchSharp has no such type).</summary>
    UInt16,
    /// <summary>Unsigned 32-bit integer (recognised, not readable).</summary>
    UInt32,
    /// <summary>Unsigned 64-bit integer (recognised, not readable).</summary>
    UInt64,
    /// <summary>8-bit float E4M3 (recognised, not readable).</summary>
    Float8E4M3,
    /// <summary>8-bit float E5M2 (recognised, not readable).</summary>
    Float8E5M2,
    /// <summary>Complex of two binary32 (recognised, not readable).</summary>
    Complex64,
    /// <summary>Complex of two binary64 (recognised, not readable).</summary>
    Complex128,
}

/// <summary>Sizes, names and conversions of <see cref="TensorDType"/>.</summary>
public static class TensorDTypes
{
    /// <summary>The dtypes DevInterp can read, in the order safetensors lists them.</summary>
    public static readonly IReadOnlyList<TensorDType> Supported =
    [
        TensorDType.Float64, TensorDType.Float32, TensorDType.Float16, TensorDType.BFloat16, TensorDType.Int64,
        TensorDType.Int32, TensorDType.Int16, TensorDType.Int8, TensorDType.UInt8, TensorDType.Bool,
    ];

    /// <summary>Bytes per element.</summary>
    public static int ByteSize(this TensorDType dtype) => dtype switch
    {
        TensorDType.Float64 or TensorDType.Int64 or TensorDType.UInt64 or TensorDType.Complex64 => 8,
        TensorDType.Float32 or TensorDType.Int32 or TensorDType.UInt32 => 4,
        TensorDType.Float16 or TensorDType.BFloat16 or TensorDType.Int16 or TensorDType.UInt16 => 2,
        TensorDType.Int8 or TensorDType.UInt8 or TensorDType.Bool or TensorDType.Float8E4M3 or TensorDType.Float8E5M2 => 1,
        TensorDType.Complex128 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>True when values of this dtype can be read and converted.</summary>
    public static bool IsSupported(this TensorDType dtype) => dtype <= TensorDType.Bool;

    /// <summary>True for the floating-point dtypes.</summary>
    public static bool IsFloatingPoint(this TensorDType dtype) =>
        dtype is TensorDType.Float64 or TensorDType.Float32 or TensorDType.Float16 or TensorDType.BFloat16;

    /// <summary>The safetensors code (F32, BF16, I64, BOOL, ...).</summary>
    public static string SafetensorsCode(this TensorDType dtype) => dtype switch
    {
        TensorDType.Float64 => "F64", TensorDType.Float32 => "F32", TensorDType.Float16 => "F16",
        TensorDType.BFloat16 => "BF16", TensorDType.Int64 => "I64", TensorDType.Int32 => "I32",
        TensorDType.Int16 => "I16", TensorDType.Int8 => "I8", TensorDType.UInt8 => "U8", TensorDType.Bool => "BOOL",
        TensorDType.UInt16 => "U16", TensorDType.UInt32 => "U32", TensorDType.UInt64 => "U64",
        TensorDType.Float8E4M3 => "F8_E4M3", TensorDType.Float8E5M2 => "F8_E5M2",
        TensorDType.Complex64 => "C64", TensorDType.Complex128 => "C128",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    private static readonly TensorDType[] AllDTypes = Enum.GetValues<TensorDType>();

    /// <summary>Parses a safetensors dtype code; false for codes outside the format.</summary>
    public static bool TryParseSafetensorsCode(string code, out TensorDType dtype)
    {
        foreach (TensorDType d in AllDTypes)
        {
            if (d.SafetensorsCode() == code) { dtype = d; return true; }
        }
        dtype = default;
        return false;
    }

    /// <summary>The matching TorchSharp scalar type (supported dtypes only).</summary>
    public static torch.ScalarType ToScalarType(this TensorDType dtype) => dtype switch
    {
        TensorDType.Float64 => torch.ScalarType.Float64, TensorDType.Float32 => torch.ScalarType.Float32,
        TensorDType.Float16 => torch.ScalarType.Float16, TensorDType.BFloat16 => torch.ScalarType.BFloat16,
        TensorDType.Int64 => torch.ScalarType.Int64, TensorDType.Int32 => torch.ScalarType.Int32,
        TensorDType.Int16 => torch.ScalarType.Int16, TensorDType.Int8 => torch.ScalarType.Int8,
        TensorDType.UInt8 => torch.ScalarType.Byte, TensorDType.Bool => torch.ScalarType.Bool,
        _ => throw new NotSupportedException($"dtype {dtype.SafetensorsCode()} has no TorchSharp equivalent"),
    };

    /// <summary>The dtype of a TorchSharp scalar type.</summary>
    public static TensorDType FromScalarType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 => TensorDType.Float64, torch.ScalarType.Float32 => TensorDType.Float32,
        torch.ScalarType.Float16 => TensorDType.Float16, torch.ScalarType.BFloat16 => TensorDType.BFloat16,
        torch.ScalarType.Int64 => TensorDType.Int64, torch.ScalarType.Int32 => TensorDType.Int32,
        torch.ScalarType.Int16 => TensorDType.Int16, torch.ScalarType.Int8 => TensorDType.Int8,
        torch.ScalarType.Byte => TensorDType.UInt8, torch.ScalarType.Bool => TensorDType.Bool,
        _ => throw new NotSupportedException($"TorchSharp scalar type {type} cannot be stored in a checkpoint"),
    };

    /// <summary>Lower-case name as PyTorch prints it (float32, bfloat16, int64, bool, ...).</summary>
    public static string TorchName(this TensorDType dtype) => dtype switch
    {
        TensorDType.Float64 => "float64", TensorDType.Float32 => "float32", TensorDType.Float16 => "float16",
        TensorDType.BFloat16 => "bfloat16", TensorDType.Int64 => "int64", TensorDType.Int32 => "int32",
        TensorDType.Int16 => "int16", TensorDType.Int8 => "int8", TensorDType.UInt8 => "uint8", TensorDType.Bool => "bool",
        TensorDType.UInt16 => "uint16", TensorDType.UInt32 => "uint32", TensorDType.UInt64 => "uint64",
        TensorDType.Float8E4M3 => "float8_e4m3fn", TensorDType.Float8E5M2 => "float8_e5m2",
        TensorDType.Complex64 => "complex64", TensorDType.Complex128 => "complex128",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
