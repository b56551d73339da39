using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace DevInterp.Checkpoints.Safetensors;

/// <summary>
/// Writes safetensors files, DevInterp's canonical checkpoint format: an 8-byte little-endian header length, a JSON
/// header (<c>__metadata__</c> first, then each tensor's dtype, shape and data offsets) padded with spaces to a multiple
/// of 8 bytes, then the tensors' bytes back to back. Files appear atomically (written to a temporary name, then renamed).
/// </summary>
public static class SafetensorsWriter
{
    /// <summary>Writes TorchSharp tensors (any device, any layout; copied to contiguous CPU memory) under their names.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var infos = list.Select(kv => new TensorInfo(kv.Key, TensorDTypes.FromScalarType(kv.Value.dtype), kv.Value.shape)).ToList();
        int next = 0; // writeData is called once per tensor, in order
        Write(path, infos, (info, stream) =>
        {
            using var scope = torch.NewDisposeScope();
            var t = list[next++].Value.detach().cpu().contiguous();
            if (info.ElementCount > 0) stream.Write(t.bytes);
        }, metadata);
    }

    /// <summary>Writes tensors whose bytes (contiguous, little-endian) are already in memory.</summary>
    public static void Write(string path, IReadOnlyList<(TensorInfo Info, ReadOnlyMemory<byte> Data)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        int next = 0; // writeData is called once per tensor, in order
        Write(path, tensors.Select(t => t.Info).ToList(), (_, stream) => stream.Write(tensors[next++].Data.Span), metadata);
    }

    /// <summary>
    /// Writes a file whose tensors are described by <paramref name="tensors"/>; <paramref name="writeData"/> is called
    /// once per tensor, in order, and must write exactly <see cref="TensorInfo.ByteCount"/> bytes.
    /// </summary>
    public static void Write(string path, IReadOnlyList<TensorInfo> tensors, Action<TensorInfo, Stream> writeData,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = new HashSet<string>();
        foreach (var t in tensors)
        {
            if (t.Name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor");
            if (!names.Add(t.Name)) throw new ArgumentException($"tensor '{t.Name}' appears twice");
            if (!t.DType.IsSupported()) throw new ArgumentException($"tensor '{t.Name}': dtype {t.DType.SafetensorsCode()} is not written");
            if (t.Shape.Any(d => d < 0)) throw new ArgumentException($"tensor '{t.Name}': shape {t.ShapeText} has a negative dimension");
        }
        byte[] header = BuildHeader(tensors, metadata);
        if (header.Length > SafetensorsHeader.MaxHeaderBytes)
            throw new ArgumentException($"the header would take {header.Length} bytes, over the format's {SafetensorsHeader.MaxHeaderBytes}-byte limit");
        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var t in tensors)
                {
                    long before = stream.Position;
                    writeData(t, stream);
                    if (stream.Position - before != t.ByteCount)
                        throw new InvalidOperationException($"tensor '{t.Name}': wrote {stream.Position - before} bytes, expected {t.ByteCount}");
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<TensorInfo> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes names as plain UTF-8 (as the reference writer does) instead of \uXXXX escapes for
        // characters such as '+' or non-ASCII letters; both are valid JSON, this one is what other tools expect to see.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType.SafetensorsCode());
                json.WriteStartArray("shape");
                foreach (long d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += t.ByteCount;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        for (long i = buffer.Length; i < padded; i++) header[i] = (byte)' ';
        return header;
    }
}
