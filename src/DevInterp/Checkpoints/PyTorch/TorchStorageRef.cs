namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// A storage a pickle refers to by persistent id: <c>('storage', torch.FloatStorage, key, location, numel)</c> in zip
/// archives, plus an optional view (element offset and count into the root storage) in the legacy format. Where its
/// bytes live is decided by the format reader, which binds the key to a region of the file.
/// </summary>
internal sealed record TorchStorageRef(string Key, TensorDType DType, long ElementCount, string Location, long ElementOffset = 0)
{
    /// <summary>Bytes per element of the storage type (1 for an untyped storage).</summary>
    public int ElementSize => DType.ByteSize();

    /// <summary>Bytes of this storage (or view): its element count times the element size.</summary>
    public long ByteLength => checked(ElementCount * ElementSize);

    /// <summary>Where the view starts inside the root storage's bytes.</summary>
    public long ByteOffset => checked(ElementOffset * ElementSize);
}

/// <summary>
/// A tensor rebuilt from a pickle: a storage plus offset, shape and strides (in elements of <see cref="DType"/>).
/// Validated at construction so every addressed element lies inside the storage.
/// </summary>
internal sealed class TorchTensorRef
{
    public const int MaxDimensions = 64;

    private TorchTensorRef(TorchStorageRef storage, TensorDType dtype, long storageOffset, long[] shape, long[] stride)
    {
        Storage = storage;
        DType = dtype;
        StorageOffset = storageOffset;
        Shape = shape;
        Stride = stride;
    }

    public TorchStorageRef Storage { get; }

    public TensorDType DType { get; }

    /// <summary>Offset of the first element, in elements of <see cref="DType"/>, from the start of the storage (view).</summary>
    public long StorageOffset { get; }

    public long[] Shape { get; }

    public long[] Stride { get; }

    /// <summary>True when the pickle wrapped it in <c>torch.nn.Parameter</c>.</summary>
    public bool IsParameter { get; init; }

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape) n *= d; // cannot overflow: checked in Create
            return n;
        }
    }

    /// <summary>Byte offset of element 0 inside the root storage's bytes.</summary>
    public long BaseByteOffset => Storage.ByteOffset + StorageOffset * DType.ByteSize();

    /// <summary>The same tensor marked as a <c>torch.nn.Parameter</c>.</summary>
    public TorchTensorRef AsParameter() => new(Storage, DType, StorageOffset, Shape, Stride) { IsParameter = true };

    /// <summary>
    /// Checks the geometry against the storage and returns the tensor, or the reason it is invalid.
    /// </summary>
    public static TorchTensorRef Create(TorchStorageRef storage, TensorDType dtype, long storageOffset, long[] shape, long[] stride, out string? error)
    {
        error = Validate(storage, dtype, storageOffset, shape, stride);
        return new TorchTensorRef(storage, dtype, storageOffset, shape, stride);
    }

    private static string? Validate(TorchStorageRef storage, TensorDType dtype, long storageOffset, long[] shape, long[] stride)
    {
        if (shape.Length != stride.Length)
            return $"size has {shape.Length} dimensions but stride has {stride.Length}";
        if (shape.Length > MaxDimensions) return $"{shape.Length} dimensions (more than {MaxDimensions})";
        if (storageOffset < 0) return $"negative storage offset {storageOffset}";
        Int128 elements = 1;
        Int128 last = storageOffset;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0) return $"negative size {shape[i]} in dimension {i}";
            if (stride[i] < 0) return $"negative stride {stride[i]} in dimension {i}";
            elements *= shape[i];
            if (elements > long.MaxValue / 16) return $"size [{string.Join(", ", shape)}] has too many elements";
        }
        if (elements == 0) return null; // nothing is addressed
        for (int i = 0; i < shape.Length; i++) last += (Int128)(shape[i] - 1) * stride[i];
        int itemSize = dtype.ByteSize();
        Int128 endByte = (last + 1) * itemSize;
        Int128 storageBytes = (Int128)storage.ElementCount * storage.ElementSize;
        if (endByte > storageBytes)
        {
            return $"size [{string.Join(", ", shape)}], stride [{string.Join(", ", stride)}] and offset {storageOffset} address " +
                $"element {last} but storage '{storage.Key}' holds {storageBytes / itemSize} {dtype.TorchName()} elements";
        }
        // The last byte addressed fits; the element count must too: a stride-0 (broadcast) view repeats stored elements,
        // so a 4-byte storage could otherwise stand for gigabytes.
        Int128 tensorBytes = elements * itemSize;
        if (tensorBytes > storageBytes && tensorBytes > CheckpointLimits.MaxBroadcastBytes)
        {
            return $"size [{string.Join(", ", shape)}] with stride [{string.Join(", ", stride)}] repeats the {storageBytes / itemSize} elements of storage " +
                $"'{storage.Key}' as {elements} ({tensorBytes} bytes; a broadcast view may expand to at most {CheckpointLimits.MaxBroadcastBytes}); save it with .contiguous()";
        }
        return null;
    }
}
