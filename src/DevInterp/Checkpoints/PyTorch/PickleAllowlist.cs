namespace DevInterp.Checkpoints.PyTorch;

/// <summary>What an allowlisted global is; <see cref="PickleCalls"/> implements the callable ones without running Python.</summary>
internal enum AllowedGlobal
{
    OrderedDict,
    RebuildTensor,
    RebuildTensorV2,
    RebuildTensorV3,
    RebuildParameter,
    RebuildParameterWithState,
    RebuildFromTypeV2,
    StorageClass,
    TensorClass,
    TorchDType,
    TorchSize,
    TorchDevice,
    BuiltinSet,
    BuiltinFrozenSet,
    BuiltinSlice,
    BuiltinComplex,
    BuiltinByteArray,
    CodecsEncode,
    NumpyScalar,
    NumpyDType,
    NumpyReconstruct,
    NumpyNDArray,
}

/// <summary>
/// The globals a checkpoint pickle may name, modelled on <c>torch.load(weights_only=True)</c>: containers, the tensor
/// and parameter rebuild functions, storage and dtype markers, and a few builtins and numpy scalar helpers. Any other
/// global is refused before anything else happens; none of these is executed as Python, each is re-implemented.
/// </summary>
internal static class PickleAllowlist
{
    /// <summary>One line describing what is allowed, for refusal messages.</summary>
    public const string Summary =
        "only collections.OrderedDict, torch._utils._rebuild_tensor/_rebuild_tensor_v2/_rebuild_tensor_v3/_rebuild_parameter/" +
        "_rebuild_parameter_with_state, torch._tensor._rebuild_from_type_v2, torch.nn.parameter.Parameter, torch.Tensor, " +
        "the torch storage classes and dtypes, torch.Size, torch.device, builtins.set/frozenset/slice/complex/bytearray, " +
        "_codecs.encode and numpy scalars, dtypes and arrays are allowed (like torch.load(weights_only=True))";

    private static readonly Dictionary<string, PyGlobal> Table = Build();

    /// <summary>The allowlisted global, or a refusal naming it.</summary>
    public static PyGlobal Resolve(string module, string name, string path, string label)
    {
        // Python 2 pickles name the builtins module __builtin__ (pickle's fix_imports maps it the same way).
        if (module == "__builtin__") module = "builtins";
        if (Table.TryGetValue(module + "." + name, out var global)) return global;
        throw new CheckpointFormatException(path, $"{label}: refused global '{module}.{name}': {Summary}{Hint(module)}");
    }

    /// <summary>True when the pickle names a TorchScript class (only in torch.jit.save archives).</summary>
    public static bool IsTorchScriptModule(string module) => module == "__torch__" || module.StartsWith("__torch__.", StringComparison.Ordinal);

    private static string Hint(string module)
    {
        if (IsTorchScriptModule(module))
            return "; this is a TorchScript archive (torch.jit.save): save model.state_dict() with torch.save instead";
        if (module == "__main__" || module.StartsWith("torch.nn.modules", StringComparison.Ordinal) || module.StartsWith("torch.optim", StringComparison.Ordinal))
            return "; the file pickles a whole Python object (torch.save(model)): save model.state_dict() with torch.save instead";
        return "";
    }

    private static Dictionary<string, PyGlobal> Build()
    {
        var table = new Dictionary<string, PyGlobal>(StringComparer.Ordinal);
        void Add(string module, string name, AllowedGlobal kind, TensorDType? dtype = null) =>
            table[module + "." + name] = new PyGlobal(module, name, kind, dtype);

        Add("collections", "OrderedDict", AllowedGlobal.OrderedDict);
        Add("torch._utils", "_rebuild_tensor", AllowedGlobal.RebuildTensor);
        Add("torch._utils", "_rebuild_tensor_v2", AllowedGlobal.RebuildTensorV2);
        Add("torch._utils", "_rebuild_tensor_v3", AllowedGlobal.RebuildTensorV3);
        Add("torch._utils", "_rebuild_parameter", AllowedGlobal.RebuildParameter);
        Add("torch._utils", "_rebuild_parameter_with_state", AllowedGlobal.RebuildParameterWithState);
        Add("torch._tensor", "_rebuild_from_type_v2", AllowedGlobal.RebuildFromTypeV2);
        Add("torch.nn.parameter", "Parameter", AllowedGlobal.TensorClass);
        Add("torch", "Tensor", AllowedGlobal.TensorClass);
        Add("torch._tensor", "Tensor", AllowedGlobal.TensorClass);
        Add("torch", "Size", AllowedGlobal.TorchSize);
        Add("torch", "device", AllowedGlobal.TorchDevice);

        foreach (var (prefix, dtype) in TorchStorageTypes.TypedPrefixes)
        {
            Add("torch", prefix + "Storage", AllowedGlobal.StorageClass, dtype);
            Add("torch.cuda", prefix + "Storage", AllowedGlobal.StorageClass, dtype);
            Add("torch", prefix + "Tensor", AllowedGlobal.TensorClass, dtype);
            Add("torch.cuda", prefix + "Tensor", AllowedGlobal.TensorClass, dtype);
        }
        Add("torch", "UntypedStorage", AllowedGlobal.StorageClass, TensorDType.UInt8);
        Add("torch.storage", "UntypedStorage", AllowedGlobal.StorageClass, TensorDType.UInt8);
        Add("torch.storage", "_UntypedStorage", AllowedGlobal.StorageClass, TensorDType.UInt8);
        foreach (var (name, dtype) in TorchStorageTypes.DTypeNames) Add("torch", name, AllowedGlobal.TorchDType, dtype);

        Add("builtins", "set", AllowedGlobal.BuiltinSet);
        Add("builtins", "frozenset", AllowedGlobal.BuiltinFrozenSet);
        Add("builtins", "slice", AllowedGlobal.BuiltinSlice);
        Add("builtins", "complex", AllowedGlobal.BuiltinComplex);
        Add("builtins", "bytearray", AllowedGlobal.BuiltinByteArray);
        Add("_codecs", "encode", AllowedGlobal.CodecsEncode);
        foreach (string np in new[] { "numpy.core.multiarray", "numpy._core.multiarray" })
        {
            Add(np, "scalar", AllowedGlobal.NumpyScalar);
            Add(np, "_reconstruct", AllowedGlobal.NumpyReconstruct);
        }
        Add("numpy", "dtype", AllowedGlobal.NumpyDType);
        Add("numpy", "ndarray", AllowedGlobal.NumpyNDArray);
        return table;
    }
}
