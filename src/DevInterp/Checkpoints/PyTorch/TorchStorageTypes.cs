namespace DevInterp.Checkpoints.PyTorch;

/// <summary>Element types of the legacy typed storage classes (<c>torch.FloatStorage</c>) and of torch dtype globals.</summary>
internal static class TorchStorageTypes
{
    /// <summary>Class-name prefixes: torch.{prefix}Storage and torch.{prefix}Tensor.</summary>
    public static readonly IReadOnlyList<(string Prefix, TensorDType DType)> TypedPrefixes =
    [
        ("Double", TensorDType.Float64), ("Float", TensorDType.Float32), ("Half", TensorDType.Float16),
        ("BFloat16", TensorDType.BFloat16), ("Long", TensorDType.Int64), ("Int", TensorDType.Int32),
        ("Short", TensorDType.Int16), ("Char", TensorDType.Int8), ("Byte", TensorDType.UInt8), ("Bool", TensorDType.Bool),
        ("ComplexFloat", TensorDType.Complex64), ("ComplexDouble", TensorDType.Complex128),
    ];

    /// <summary>torch.&lt;name&gt; dtype objects (used by <c>_rebuild_tensor_v3</c>).</summary>
    public static readonly IReadOnlyList<(string Name, TensorDType DType)> DTypeNames =
    [
        ("float64", TensorDType.Float64), ("double", TensorDType.Float64), ("float32", TensorDType.Float32),
        ("float", TensorDType.Float32), ("float16", TensorDType.Float16), ("half", TensorDType.Float16),
        ("bfloat16", TensorDType.BFloat16), ("int64", TensorDType.Int64), ("long", TensorDType.Int64),
        ("int32", TensorDType.Int32), ("int", TensorDType.Int32), ("int16", TensorDType.Int16), ("short", TensorDType.Int16),
        ("int8", TensorDType.Int8), ("uint8", TensorDType.UInt8), ("bool", TensorDType.Bool),
        ("uint16", TensorDType.UInt16), ("uint32", TensorDType.UInt32), ("uint64", TensorDType.UInt64),
        ("float8_e4m3fn", TensorDType.Float8E4M3), ("float8_e5m2", TensorDType.Float8E5M2),
        ("complex64", TensorDType.Complex64), ("cfloat", TensorDType.Complex64),
        ("complex128", TensorDType.Complex128), ("cdouble", TensorDType.Complex128),
    ];
}
