namespace DevInterp.Checkpoints;

/// <summary>
/// One open checkpoint file. Opening reads only the file's index (names, dtypes, shapes, metadata); tensor values are
/// copied out on demand, so at most the tensors a caller holds are in memory.
/// </summary>
public interface ICheckpointReader : IDisposable
{
    /// <summary>The file (or HF-style folder) this reader opened.</summary>
    string Path { get; }

    /// <summary>The detected on-disk format.</summary>
    CheckpointFormat Format { get; }

    /// <summary>The tensors of the state dict, in the order the file lists them.</summary>
    IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>Scalars stored beside the tensors (safetensors <c>__metadata__</c>, epoch/loss entries, ...).</summary>
    IReadOnlyDictionary<string, MetadataValue> Metadata { get; }

    /// <summary>
    /// Copies the values of tensor <paramref name="name"/> into <paramref name="destination"/>: contiguous, row-major,
    /// little-endian, in the tensor's own dtype. The destination must be exactly <see cref="TensorInfo.ByteCount"/> long.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    /// <exception cref="CheckpointFormatException">The values cannot be read (unsupported dtype, corrupt data).</exception>
    void ReadInto(string name, Span<byte> destination);

    /// <summary>
    /// Copies the bytes [<paramref name="offset"/>, offset + destination.Length) of tensor <paramref name="name"/>'s
    /// values, laid out as <see cref="ReadInto"/> lays them out: how a tensor larger than one span (2 GiB) is read, in
    /// pieces. Offset and length must be whole elements. The built-in readers read any range; this default reads a
    /// whole tensor only.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    /// <exception cref="CheckpointFormatException">The values cannot be read (unsupported dtype, corrupt data).</exception>
    void ReadRange(string name, long offset, Span<byte> destination)
    {
        var info = this.GetTensor(name);
        if (offset == 0 && destination.Length == info.ByteCount)
        {
            ReadInto(name, destination);
            return;
        }
        throw new NotSupportedException($"{Path}: this reader reads tensor '{PrintableText.Escape(name)}' whole only, not bytes [{offset}, +{destination.Length})");
    }
}
