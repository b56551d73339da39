using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace DevInterp.Checkpoints.Safetensors;

/// <summary>
/// Reads a safetensors file through a memory map: the header is parsed and validated at open (sizes, offsets inside
/// the file, no overlaps or gaps, known dtypes); tensor bytes are copied only when asked for.
/// </summary>
public sealed class SafetensorsReader : ICheckpointReader
{
    /// <summary>The reference implementation's upper bound on the JSON header (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly MappedFile _file;
    private readonly Dictionary<string, (TensorInfo Info, long Offset)> _index;

    private SafetensorsReader(MappedFile file, List<TensorInfo> tensors, Dictionary<string, (TensorInfo, long)> index,
        Dictionary<string, MetadataValue> metadata)
    {
        _file = file;
        Tensors = tensors;
        _index = index;
        Metadata = metadata;
    }

    /// <inheritdoc />
    public string Path => _file.Path;

    /// <inheritdoc />
    public CheckpointFormat Format => CheckpointFormat.Safetensors;

    /// <inheritdoc />
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, MetadataValue> Metadata { get; }

    /// <summary>The raw <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, string> RawMetadata =>
        Metadata.ToDictionary(kv => kv.Key, kv => ((MetadataValue.Text)kv.Value).Value);

    /// <summary>Opens and validates a safetensors file.</summary>
    /// <exception cref="CheckpointFormatException">The file is not valid safetensors; the message says why.</exception>
    public static SafetensorsReader Open(string path)
    {
        MappedFile file;
        try
        {
            file = new MappedFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException(path, $"cannot open: {e.Message}", e);
        }
        try
        {
            var (tensors, index, metadata) = ParseHeader(file);
            return new SafetensorsReader(file, tensors, index, metadata);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void ReadInto(string name, Span<byte> destination)
    {
        if (!_index.TryGetValue(name, out var entry)) _ = this.GetTensor(name); // throws with the list of names
        var (info, offset) = _index[name];
        if (!info.DType.IsSupported()) _ = this.ReadBytes(name); // throws the unsupported-dtype message
        if (destination.Length != info.ByteCount)
            throw new ArgumentException($"destination holds {destination.Length} bytes, tensor '{name}' needs {info.ByteCount}");
        _file.CopyTo(offset, destination);
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private static (List<TensorInfo>, Dictionary<string, (TensorInfo, long)>, Dictionary<string, MetadataValue>) ParseHeader(MappedFile file)
    {
        string path = file.Path;
        if (file.Length < 8)
            throw new CheckpointFormatException(path, $"truncated: {file.Length} bytes, fewer than the 8-byte safetensors header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file.Span(0, 8));
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointFormatException(path, $"safetensors header claims {headerLength} bytes, over the {MaxHeaderBytes}-byte limit (corrupt or not safetensors)");
        if ((long)headerLength > file.Length - 8)
            throw new CheckpointFormatException(path, $"truncated: the safetensors header claims {headerLength} bytes but only {file.Length - 8} follow");
        if (headerLength < 2)
            throw new CheckpointFormatException(path, $"safetensors header of {headerLength} bytes cannot hold a JSON object");
        var headerBytes = file.Span(8, (long)headerLength);
        if (headerBytes[0] != (byte)'{')
            throw new CheckpointFormatException(path, "safetensors header does not start with '{' (corrupt or not safetensors)");
        long dataStart = 8 + (long)headerLength;
        long dataLength = file.Length - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"safetensors header is not valid JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, $"safetensors header is not valid UTF-8 JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, "safetensors header is not a JSON object");
            var metadata = new Dictionary<string, MetadataValue>();
            var entries = new List<(TensorInfo Info, long Begin, long End)>();
            var seen = new HashSet<string>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new CheckpointFormatException(path, $"safetensors header lists '{property.Name}' twice");
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new CheckpointFormatException(path, "__metadata__ must be an object of strings");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new CheckpointFormatException(path, $"__metadata__ entry '{m.Name}' must be a string, not {m.Value.ValueKind}");
                        metadata[m.Name] = new MetadataValue.Text(m.Value.GetString()!);
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, property));
            }

            // The format requires the data buffer to be tiled exactly by the tensors: sorted by offset, each starting
            // where the previous ended, the last ending at the end of the file.
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            foreach (var (info, begin, end) in entries)
            {
                if (begin < expected)
                    throw new CheckpointFormatException(path, $"tensor '{info.Name}' data [{begin}, {end}) overlaps the previous tensor, which ends at {expected}");
                if (begin > expected)
                    throw new CheckpointFormatException(path, $"gap in the data: tensor '{info.Name}' starts at {begin}, the previous tensor ends at {expected}");
                expected = end;
            }
            if (expected > dataLength)
                throw new CheckpointFormatException(path, $"truncated: tensors need {expected} data bytes but the file holds {dataLength}");
            if (expected < dataLength)
                throw new CheckpointFormatException(path, $"{dataLength - expected} bytes after the last tensor are not described by the header");

            // Keep the header's own order for listing (the order the writer chose), not the offset order.
            var byName = entries.ToDictionary(e => e.Info.Name, e => (e.Info, dataStart + e.Begin));
            var ordered = new List<TensorInfo>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name != "__metadata__") ordered.Add(byName[property.Name].Info);
            }
            return (ordered, byName, metadata);
        }
    }

    private static (TensorInfo, long, long) ParseEntry(string path, JsonProperty property)
    {
        string name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"tensor '{name}': header entry is not an object");
        if (!v.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new CheckpointFormatException(path, $"tensor '{name}': missing dtype");
        string code = dtypeEl.GetString()!;
        if (!TensorDTypes.TryParseSafetensorsCode(code, out var dtype))
            throw new CheckpointFormatException(path, $"tensor '{name}': unknown dtype '{code}'");
        if (!v.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw new CheckpointFormatException(path, $"tensor '{name}': missing shape");
        var shape = new List<long>();
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new CheckpointFormatException(path, $"tensor '{name}': shape entries must be non-negative integers");
            shape.Add(dim);
        }
        if (!v.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw new CheckpointFormatException(path, $"tensor '{name}': data_offsets must be [begin, end]");
        if (!offEl[0].TryGetInt64(out long begin) || !offEl[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new CheckpointFormatException(path, $"tensor '{name}': data_offsets must be integers with 0 <= begin <= end");
        var info = new TensorInfo(name, dtype, shape);
        long bytes;
        try
        {
            bytes = info.ByteCount;
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}': shape {info.ShapeText} overflows");
        }
        if (end - begin != bytes)
            throw new CheckpointFormatException(path, $"tensor '{name}': shape {info.ShapeText} of {code} needs {bytes} bytes but data_offsets span {end - begin}");
        return (info, begin, end);
    }
}
