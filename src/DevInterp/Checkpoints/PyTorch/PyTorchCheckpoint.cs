using System.Buffers.Binary;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// An open torch.save file of any layout: the located state dict's tensors, each bound to the bytes of its storage.
/// Values are copied (with strides applied, and byte-swapped for big-endian files) only on <see cref="ReadInto"/>.
/// </summary>
internal sealed class PyTorchCheckpoint : ICheckpointReader
{
    private readonly MappedFile _file;
    private readonly Dictionary<string, Slot> _slots;
    private readonly bool _bigEndian;

    private PyTorchCheckpoint(MappedFile file, CheckpointFormat format, List<TensorInfo> tensors, Dictionary<string, Slot> slots,
        Dictionary<string, MetadataValue> metadata, bool bigEndian)
    {
        _file = file;
        Format = format;
        Tensors = tensors;
        _slots = slots;
        Metadata = metadata;
        _bigEndian = bigEndian;
    }

    /// <inheritdoc />
    public string Path => _file.Path;

    /// <inheritdoc />
    public CheckpointFormat Format { get; }

    /// <inheritdoc />
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, MetadataValue> Metadata { get; }

    /// <summary>
    /// Binds every located tensor to its storage bytes (validating that the storage view fits them) and reads the
    /// 0-dimensional tensors found outside the state dict into metadata.
    /// </summary>
    /// <param name="file">The open checkpoint (owned by the result).</param>
    /// <param name="format">The layout it was read from.</param>
    /// <param name="located">The state dict and scalars found in the pickle.</param>
    /// <param name="bind">The bytes of the root storage a reference names (throws when the file lacks it).</param>
    /// <param name="bigEndian">True when the storages hold big-endian values.</param>
    public static PyTorchCheckpoint Create(MappedFile file, CheckpointFormat format, LocatedStateDict located,
        Func<TorchStorageRef, StorageBytes> bind, bool bigEndian)
    {
        string path = file.Path;
        var bound = new Dictionary<TorchStorageRef, StorageBytes>(ReferenceEqualityComparer.Instance);
        StorageBytes BytesOf(TorchStorageRef storage)
        {
            if (bound.TryGetValue(storage, out var bytes)) return bytes;
            bytes = bind(storage);
            if (storage.ByteOffset > bytes.Length || storage.ByteLength > bytes.Length - storage.ByteOffset)
            {
                throw new CheckpointFormatException(path,
                    $"storage '{storage.Key}' needs {storage.ByteOffset + storage.ByteLength} bytes ({storage.ElementCount} {storage.DType.TorchName()} " +
                    $"elements{(storage.ElementOffset > 0 ? $" from element {storage.ElementOffset}" : "")}) but the file holds {bytes.Length} (truncated or corrupt)");
            }
            bound[storage] = bytes;
            return bytes;
        }

        var tensors = new List<TensorInfo>(located.Tensors.Count);
        var slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        foreach (var (name, tensor) in located.Tensors)
        {
            var info = new TensorInfo(name, tensor.DType, tensor.Shape);
            tensors.Add(info);
            slots[name] = new Slot(info, tensor, BytesOf(tensor.Storage));
        }

        var metadata = new Dictionary<string, MetadataValue>(StringComparer.Ordinal);
        foreach (var (name, value) in located.Metadata) metadata.TryAdd(name, value);
        var buffer = new byte[8];
        foreach (var (name, tensor) in located.ScalarTensors)
        {
            if (!tensor.DType.IsSupported() || metadata.ContainsKey(name)) continue;
            var raw = buffer.AsSpan(0, tensor.DType.ByteSize());
            Copy(BytesOf(tensor.Storage), tensor, raw, bigEndian);
            metadata[name] = ScalarValue(tensor.DType, raw);
        }
        return new PyTorchCheckpoint(file, format, tensors, slots, metadata, bigEndian);
    }

    /// <inheritdoc />
    public void ReadInto(string name, Span<byte> destination)
    {
        var slot = SlotOf(name);
        var info = slot.Info;
        if (!info.DType.IsSupported())
        {
            throw new CheckpointFormatException(Path,
                $"tensor '{name}' has dtype {info.DType.SafetensorsCode()}, which DevInterp cannot read " +
                $"(supported: {string.Join(", ", TensorDTypes.Supported.Select(d => d.SafetensorsCode()))}); convert it to one of those before saving");
        }
        if (destination.Length != info.ByteCount)
            throw new ArgumentException($"destination holds {destination.Length} bytes, tensor '{name}' needs {info.ByteCount}");
        Copy(slot.Bytes, slot.Tensor, destination, _bigEndian);
    }

    /// <inheritdoc />
    public void ReadRange(string name, long offset, Span<byte> destination)
    {
        var slot = SlotOf(name);
        CheckpointReaderExtensions.RequireSupported(this, slot.Info);
        CheckpointReaderExtensions.CheckRange(slot.Info, offset, destination.Length);
        int size = slot.Tensor.DType.ByteSize();
        StridedCopy.CopyRange(slot.Bytes, slot.Tensor.BaseByteOffset, slot.Tensor.Shape, slot.Tensor.Stride, size, offset / size, destination);
        if (_bigEndian) Swap(slot.Tensor.DType, destination);
    }

    /// <summary>
    /// A key that two names share exactly when they are the same view of the same storage (tied weights, or a pickle
    /// that names one tensor many times), so their values need to be read only once.
    /// </summary>
    internal string ViewKey(string name)
    {
        var t = SlotOf(name).Tensor;
        return $"{t.Storage.Key}|{t.BaseByteOffset}|{t.DType}|{string.Join(',', t.Shape)}|{string.Join(',', t.Stride)}";
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private Slot SlotOf(string name)
    {
        if (_slots.TryGetValue(name, out var slot)) return slot;
        _ = this.GetTensor(name); // throws KeyNotFoundException listing the names
        throw new KeyNotFoundException(name);
    }

    private static void Swap(TensorDType dtype, Span<byte> data)
    {
        int size = dtype.ByteSize();
        bool complex = dtype is TensorDType.Complex64 or TensorDType.Complex128;
        StridedCopy.SwapBytes(data, complex ? size / 2 : size);
    }

    private static void Copy(StorageBytes bytes, TorchTensorRef tensor, Span<byte> destination, bool bigEndian)
    {
        StridedCopy.Copy(bytes, tensor.BaseByteOffset, tensor.Shape, tensor.Stride, tensor.DType.ByteSize(), destination);
        if (bigEndian) Swap(tensor.DType, destination);
    }

    private static MetadataValue ScalarValue(TensorDType dtype, ReadOnlySpan<byte> raw)
    {
        if (dtype == TensorDType.Bool) return new MetadataValue.Flag(raw[0] != 0);
        if (dtype.IsFloatingPoint())
        {
            Span<double> one = stackalloc double[1];
            CheckpointReaderExtensions.ConvertToDoubles(dtype, raw, one);
            return new MetadataValue.Real(one[0]);
        }
        long value = dtype switch
        {
            TensorDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(raw),
            TensorDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw),
            TensorDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(raw),
            TensorDType.Int8 => (sbyte)raw[0],
            _ => raw[0],
        };
        return new MetadataValue.Integer(value);
    }

    private sealed record Slot(TensorInfo Info, TorchTensorRef Tensor, StorageBytes Bytes);
}
