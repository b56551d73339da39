namespace DevInterp.Checkpoints.TorchSharpDat;

/// <summary>
/// The element-type codes of TorchSharp's .dat format: the numeric value of TorchSharp's <c>ScalarType</c> (which
/// follows libtorch's <c>c10::ScalarType</c>), written as an unsigned LEB128 number before each tensor's shape.
/// </summary>
internal static class TorchSharpElementTypes
{
    /// <summary>The dtype of a code; false for codes that no state dict holds (quantized, complex32, ...).</summary>
    public static bool TryGetDType(long code, out TensorDType dtype)
    {
        TensorDType? d = code switch
        {
            0 => TensorDType.UInt8,
            1 => TensorDType.Int8,
            2 => TensorDType.Int16,
            3 => TensorDType.Int32,
            4 => TensorDType.Int64,
            5 => TensorDType.Float16,
            6 => TensorDType.Float32,
            7 => TensorDType.Float64,
            9 => TensorDType.Complex64, // recognised so the file lists it; refused when read
            10 => TensorDType.Complex128,
            11 => TensorDType.Bool,
            15 => TensorDType.BFloat16,
            _ => null,
        };
        dtype = d ?? default;
        return d is not null;
    }

    /// <summary>The code of a dtype the format can hold.</summary>
    public static int Code(TensorDType dtype) => dtype switch
    {
        TensorDType.UInt8 => 0,
        TensorDType.Int8 => 1,
        TensorDType.Int16 => 2,
        TensorDType.Int32 => 3,
        TensorDType.Int64 => 4,
        TensorDType.Float16 => 5,
        TensorDType.Float32 => 6,
        TensorDType.Float64 => 7,
        TensorDType.Complex64 => 9,
        TensorDType.Complex128 => 10,
        TensorDType.Bool => 11,
        TensorDType.BFloat16 => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"dtype {dtype.TorchName()} has no TorchSharp .dat code"),
    };
}
