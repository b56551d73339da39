namespace DevInterp.Checkpoints.Safetensors;

/// <summary>
/// Reads a safetensors file with positioned reads: the header is parsed and validated at open (see
/// <see cref="SafetensorsHeader"/> for the rules); tensor bytes are copied only when asked for, straight into the
/// destination.
/// </summary>
public sealed class SafetensorsReader : ICheckpointReader
{
    /// <summary>The reference implementation's upper bound on the JSON header (100 MB).</summary>
    public const long MaxHeaderBytes = SafetensorsHeader.MaxHeaderBytes;

    private readonly MappedFile _file;
    private readonly SafetensorsHeader _header;

    private SafetensorsReader(MappedFile file, SafetensorsHeader header)
    {
        _file = file;
        _header = header;
    }

    /// <inheritdoc />
    public string Path => _file.Path;

    /// <inheritdoc />
    public CheckpointFormat Format => CheckpointFormat.Safetensors;

    /// <inheritdoc />
    public IReadOnlyList<TensorInfo> Tensors => _header.Tensors;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, MetadataValue> Metadata => _header.Metadata;

    /// <summary>The raw <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> RawMetadata =>
        _header.Metadata.ToDictionary(kv => kv.Key, kv => ((MetadataValue.Text)kv.Value).Value);

    /// <summary>Opens and validates a safetensors file.</summary>
    /// <exception cref="CheckpointFormatException">The file is not valid safetensors; the message says why.</exception>
    public static SafetensorsReader Open(string path)
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

    /// <summary>Reads the header of an open file; the reader owns the file from then on (the caller disposes it on failure).</summary>
    internal static SafetensorsReader Open(MappedFile file) => new(file, SafetensorsHeader.Parse(file));

    /// <inheritdoc />
    public void ReadInto(string name, Span<byte> destination)
    {
        if (!_header.Index.TryGetValue(name, out var entry)) _ = this.GetTensor(name); // throws, listing the names
        var (info, offset) = entry;
        CheckpointReaderExtensions.RequireSupported(this, info);
        if (destination.Length != info.ByteCount)
            throw new ArgumentException($"destination holds {destination.Length} bytes, tensor '{name}' needs {info.ByteCount}");
        _file.CopyTo(offset, destination);
    }

    /// <inheritdoc />
    public void ReadRange(string name, long offset, Span<byte> destination)
    {
        if (!_header.Index.TryGetValue(name, out var entry)) _ = this.GetTensor(name); // throws, listing the names
        var (info, start) = entry;
        CheckpointReaderExtensions.RequireSupported(this, info);
        CheckpointReaderExtensions.CheckRange(info, offset, destination.Length);
        _file.CopyTo(start + offset, destination);
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
