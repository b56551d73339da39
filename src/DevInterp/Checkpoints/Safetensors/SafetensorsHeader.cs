using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

namespace DevInterp.Checkpoints.Safetensors;

/// <summary>
/// The parsed and validated header of a safetensors file. The rules follow the reference Rust crate
/// (<c>SafeTensors::read_metadata</c>): an 8-byte little-endian header length of at most 100 MB that fits in the
/// file; a UTF-8 JSON object starting with '{'; <c>__metadata__</c> an object of strings; every other key a tensor
/// with a known dtype, a shape of non-negative integers whose byte size does not overflow, and
/// <c>data_offsets</c> [begin, end] spanning exactly that size; sorted by offset, the tensors tile the data buffer
/// from 0 to the end of the file with no gap, overlap or trailing byte. Duplicate keys, which serde would silently
/// collapse, are refused here because they make the file ambiguous.
/// </summary>
internal sealed class SafetensorsHeader
{
    public const long MaxHeaderBytes = 100_000_000;

    private SafetensorsHeader(List<TensorInfo> tensors, Dictionary<string, (TensorInfo, long)> index,
        Dictionary<string, MetadataValue> metadata)
    {
        Tensors = tensors;
        Index = index;
        Metadata = metadata;
    }

    /// <summary>The tensors in the header's own order (the order the writer chose).</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>Each tensor with the absolute file offset of its first byte.</summary>
    public IReadOnlyDictionary<string, (TensorInfo Info, long Offset)> Index { get; }

    /// <summary>The <c>__metadata__</c> strings.</summary>
    public IReadOnlyDictionary<string, MetadataValue> Metadata { get; }

    public static SafetensorsHeader Parse(MappedFile file)
    {
        string path = file.Path;
        if (file.Length < 8)
            throw new CheckpointFormatException(path, $"truncated: {file.Length} bytes, fewer than the 8-byte safetensors header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        file.CopyTo(0, lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointFormatException(path, $"safetensors header length {headerLength} is over the {MaxHeaderBytes}-byte limit (corrupt or not safetensors)");
        if ((long)headerLength > file.Length - 8)
            throw new CheckpointFormatException(path, $"truncated: the safetensors header length is {headerLength} bytes but only {file.Length - 8} bytes follow it");
        if (headerLength < 2)
            throw new CheckpointFormatException(path, $"safetensors header of {headerLength} bytes cannot hold a JSON object");
        // One positioned read into the array the JSON parser keeps (no memory map for a file read once).
        byte[] headerBytes = file.ReadArray(8, (long)headerLength);
        if (headerBytes[0] != (byte)'{')
            throw new CheckpointFormatException(path, $"safetensors header does not start with '{{' (byte 8 is 0x{headerBytes[0]:X2}; corrupt or not safetensors)");
        if (!Utf8.IsValid(headerBytes))
            throw new CheckpointFormatException(path, "safetensors header is not valid UTF-8");
        long dataStart = 8 + (long)headerLength;
        long dataLength = file.Length - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"safetensors header is not valid JSON: {OneLine(e.Message)}", e);
        }
        using (doc)
        {
            try
            {
                return Build(path, doc.RootElement, dataStart, dataLength);
            }
            catch (InvalidOperationException e)
            {
                // System.Text.Json defers decoding strings; an escape such as a lone "\ud800" fails only when read.
                throw new CheckpointFormatException(path, $"safetensors header holds a string that cannot be decoded: {OneLine(e.Message)}", e);
            }
        }
    }

    private static SafetensorsHeader Build(string path, JsonElement root, long dataStart, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"safetensors header is a JSON {root.ValueKind}, not an object");
        var metadata = new Dictionary<string, MetadataValue>();
        var entries = new List<(TensorInfo Info, long Begin, long End)>();
        var index = new Dictionary<string, (TensorInfo, long)>(StringComparer.Ordinal);
        bool sawMetadata = false;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals("__metadata__"))
            {
                if (sawMetadata) throw new CheckpointFormatException(path, "safetensors header lists '__metadata__' twice");
                sawMetadata = true;
                ReadMetadata(path, property.Value, metadata);
                continue;
            }
            string name = property.Name;
            CheckpointLimits.CheckName(path, name);
            var entry = ParseEntry(path, name, property.Value);
            if (!index.TryAdd(name, (entry.Item1, dataStart + entry.Item2)))
                throw new CheckpointFormatException(path, $"safetensors header lists '{name}' twice");
            entries.Add(entry);
            CheckpointLimits.CheckCount(path, entries.Count);
        }

        // Sorted by offset, the tensors must tile the data buffer exactly: each starts where the previous ended and the
        // last ends at the end of the file.
        var order = new int[entries.Count];
        var begins = new (long Begin, long End)[entries.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
            begins[i] = (entries[i].Begin, entries[i].End);
        }
        Array.Sort(begins, order);
        long expected = 0;
        foreach (int i in order)
        {
            var (info, begin, end) = entries[i];
            if (begin < expected)
                throw new CheckpointFormatException(path, $"tensor '{info.Name}' data [{begin}, {end}) overlaps the previous tensor, which ends at {expected}");
            if (begin > expected)
                throw new CheckpointFormatException(path, $"gap in the data: tensor '{info.Name}' starts at {begin}, the previous tensor ends at {expected}");
            expected = end;
        }
        if (expected > dataLength)
            throw new CheckpointFormatException(path, $"truncated: tensors need {expected} data bytes but the file holds {dataLength} after the header");
        if (expected < dataLength)
            throw new CheckpointFormatException(path, $"{dataLength - expected} trailing bytes after the last tensor are not described by the header");

        var tensors = new List<TensorInfo>(entries.Count);
        foreach (var e in entries) tensors.Add(e.Info);
        return new SafetensorsHeader(tensors, index, metadata);
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, MetadataValue> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null) return; // serde reads null as "no metadata"
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"__metadata__ must be an object of strings, not a JSON {value.ValueKind}");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointFormatException(path, $"__metadata__ entry '{m.Name}' must be a string, not a JSON {m.Value.ValueKind}");
            if (!metadata.TryAdd(m.Name, new MetadataValue.Text(m.Value.GetString()!)))
                throw new CheckpointFormatException(path, $"__metadata__ lists '{m.Name}' twice");
        }
    }

    private static (TensorInfo, long, long) ParseEntry(string path, string name, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"tensor '{name}': header entry is a JSON {v.ValueKind}, not an object");
        JsonElement? dtypeEl = null, shapeEl = null, offsetsEl = null;
        foreach (var field in v.EnumerateObject())
        {
            // NameEquals compares the UTF-8 bytes: no string per field (a header can list a million tensors).
            if (field.NameEquals("dtype")) dtypeEl = Once(path, name, field, dtypeEl);
            else if (field.NameEquals("shape")) shapeEl = Once(path, name, field, shapeEl);
            else if (field.NameEquals("data_offsets")) offsetsEl = Once(path, name, field, offsetsEl);
            // the reference ignores unknown fields
        }

        if (dtypeEl is not { ValueKind: JsonValueKind.String } d)
            throw new CheckpointFormatException(path, $"tensor '{name}': missing dtype (a string such as \"F32\")");
        string code = d.GetString()!;
        if (!TensorDTypes.TryParseSafetensorsCode(code, out var dtype))
            throw new CheckpointFormatException(path, $"tensor '{name}': unknown dtype '{code}'");

        if (shapeEl is not { ValueKind: JsonValueKind.Array } s)
            throw new CheckpointFormatException(path, $"tensor '{name}': missing shape (an array of non-negative integers)");
        var shape = new List<long>(s.GetArrayLength());
        foreach (var dim in s.EnumerateArray())
        {
            if (!TryNonNegativeInteger(dim, out long value))
                throw new CheckpointFormatException(path, $"tensor '{name}': shape entry {dim.GetRawText()} is not a non-negative integer");
            shape.Add(value);
        }

        if (offsetsEl is not { ValueKind: JsonValueKind.Array } o || o.GetArrayLength() != 2)
            throw new CheckpointFormatException(path, $"tensor '{name}': data_offsets must be an array [begin, end]");
        if (!TryNonNegativeInteger(o[0], out long begin) || !TryNonNegativeInteger(o[1], out long end))
            throw new CheckpointFormatException(path, $"tensor '{name}': data_offsets {o.GetRawText()} must be non-negative integers");
        if (end < begin)
            throw new CheckpointFormatException(path, $"tensor '{name}': data_offsets [{begin}, {end}] end before they begin");

        var info = new TensorInfo(name, dtype, shape);
        long bytes;
        try
        {
            bytes = info.ByteCount;
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}': shape {info.ShapeText} of {code} overflows a 64-bit byte count");
        }
        if (end - begin != bytes)
            throw new CheckpointFormatException(path, $"tensor '{name}': shape {info.ShapeText} of {code} needs {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return (info, begin, end);
    }

    private static JsonElement Once(string path, string name, JsonProperty field, JsonElement? previous) =>
        previous is null ? field.Value : throw new CheckpointFormatException(path, $"tensor '{name}': header entry lists '{field.Name}' twice");

    private static bool TryNonNegativeInteger(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value) && value >= 0;
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
