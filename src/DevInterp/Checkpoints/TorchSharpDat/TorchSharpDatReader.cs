namespace DevInterp.Checkpoints.TorchSharpDat;

/// <summary>
/// Reads TorchSharp state dicts: the files <c>Module.save</c> writes and <c>Module.load</c> reads, and that
/// TorchSharp's <c>exportsd.py</c> writes from Python. Layout: an unsigned LEB128 entry count, then per entry a name
/// (7-bit-encoded byte count + UTF-8, as .NET's <c>BinaryWriter.Write(string)</c>), an element-type code, a number of
/// dimensions and the dimensions (all LEB128), then the values, contiguous, row-major, little-endian.
/// The index (names, dtypes, shapes, offsets) is built at open; values are copied from a memory map on demand.
/// Optimizer-state files (<c>optimizer.save</c>) and single tensors (<c>Tensor.save</c>) share the extension but not
/// the layout; they are refused with a message that says which they are.
/// </summary>
public sealed class TorchSharpDatReader : ICheckpointReader
{
    private static readonly IReadOnlyDictionary<string, MetadataValue> NoMetadata = new Dictionary<string, MetadataValue>();

    private readonly MappedFile _file;
    private readonly Dictionary<string, (TensorInfo Info, long Offset)> _index;

    private TorchSharpDatReader(MappedFile file, List<TensorInfo> tensors, Dictionary<string, (TensorInfo, long)> index)
    {
        _file = file;
        Tensors = tensors;
        _index = index;
    }

    /// <inheritdoc />
    public string Path => _file.Path;

    /// <inheritdoc />
    public CheckpointFormat Format => CheckpointFormat.TorchSharpDat;

    /// <inheritdoc />
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>Always empty: the format stores tensors only.</summary>
    public IReadOnlyDictionary<string, MetadataValue> Metadata => NoMetadata;

    /// <summary>Opens a TorchSharp state dict and indexes its tensors.</summary>
    /// <exception cref="CheckpointFormatException">
    /// Corrupt or truncated, or a TorchSharp optimizer state or single tensor rather than a state dict.
    /// </exception>
    public static TorchSharpDatReader Open(string path)
    {
        var file = MappedFile.Open(path);
        try
        {
            return Open(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Indexes an open file; the reader owns the file from then on (the caller disposes it on failure).</summary>
    internal static TorchSharpDatReader Open(MappedFile file)
    {
        string path = file.Path;
        if (file.Length == 0) throw new CheckpointFormatException(path, "empty file (0 bytes)");
        try
        {
            var (tensors, index) = ParseStateDict(file);
            return new TorchSharpDatReader(file, tensors, index);
        }
        catch (CheckpointFormatException notStateDict)
        {
            RefuseOtherTorchSharpFiles(file);
            throw new CheckpointFormatException(path, $"not a valid TorchSharp state dict: {notStateDict.Reason}", notStateDict);
        }
    }

    /// <summary>
    /// True when the leading bytes look like the start of a TorchSharp state dict (a structural plausibility check:
    /// entry count, printable UTF-8 name, known element type, dimensions that fit in a file of
    /// <paramref name="length"/> bytes).
    /// </summary>
    public static bool LooksLikeStateDict(ReadOnlySpan<byte> head, long length) => TorchSharpDatProbe.LooksLikeStateDict(head, length);

    /// <summary>
    /// True when the leading bytes look like any TorchSharp .dat file this reader either reads (a state dict) or
    /// refuses with a specific message (optimizer state, single tensor).
    /// </summary>
    public static bool LooksLikeTorchSharpDat(ReadOnlySpan<byte> head, long length) =>
        TorchSharpDatProbe.LooksLikeStateDict(head, length) || TorchSharpDatProbe.IsOptimizerState(head, out _) ||
        TorchSharpDatProbe.LooksLikeSingleTensor(head, length);

    /// <inheritdoc />
    public void ReadInto(string name, Span<byte> destination)
    {
        if (!_index.TryGetValue(name, out var entry)) _ = this.GetTensor(name); // throws, listing the names
        var (info, offset) = entry;
        CheckpointReaderExtensions.RequireSupported(this, info);
        if (destination.Length != info.ByteCount)
            throw new ArgumentException($"destination holds {destination.Length} bytes, tensor '{name}' needs {info.ByteCount}");
        _file.CopyTo(offset, destination);
    }

    /// <inheritdoc />
    public void ReadRange(string name, long offset, Span<byte> destination)
    {
        if (!_index.TryGetValue(name, out var entry)) _ = this.GetTensor(name); // throws, listing the names
        var (info, start) = entry;
        CheckpointReaderExtensions.RequireSupported(this, info);
        CheckpointReaderExtensions.CheckRange(info, offset, destination.Length);
        _file.CopyTo(start + offset, destination);
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private static (List<TensorInfo>, Dictionary<string, (TensorInfo, long)>) ParseStateDict(MappedFile file)
    {
        var cursor = new DatCursor(file);
        long count = cursor.ReadNumber("the entry count");
        CheckpointLimits.CheckCount(file.Path, count);
        var tensors = new List<TensorInfo>();
        var index = new Dictionary<string, (TensorInfo, long)>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            string name = cursor.ReadName($"the name of entry {i} of {count}");
            CheckpointLimits.CheckName(file.Path, name);
            if (index.ContainsKey(name))
                throw new CheckpointFormatException(file.Path, $"entry {i} repeats the name '{name}'");
            var info = cursor.ReadTensorHeader(name);
            index[name] = (info, cursor.Position);
            tensors.Add(info);
            cursor.Skip(info.ByteCount);
        }
        if (cursor.Remaining != 0)
            throw new CheckpointFormatException(file.Path, $"{cursor.Remaining} bytes follow the last of the {count} entries (corrupt, or not a state dict)");
        return (tensors, index);
    }

    /// <summary>Throws the specific refusal when the file is a TorchSharp file of another kind.</summary>
    private static void RefuseOtherTorchSharpFiles(MappedFile file)
    {
        var head = file.Span(0, Math.Min(file.Length, 512));
        if (TorchSharpDatProbe.IsOptimizerState(head, out string optimizer))
        {
            throw new CheckpointFormatException(file.Path,
                $"TorchSharp optimizer state ({optimizer}, written by optimizer.save), not a state dict; open the model's weights file instead");
        }
        if (TorchSharpDatProbe.LooksLikeSingleTensor(head, file.Length))
        {
            var info = new DatCursor(file).ReadTensorHeader("(single tensor)");
            throw new CheckpointFormatException(file.Path,
                $"a single TorchSharp tensor ({info.DType.TorchName()} {info.ShapeText}, written by Tensor.save or exportsd.py's write_tensor), " +
                "not a state dict; save the model with Module.save or exportsd.save_state_dict");
        }
    }
}
