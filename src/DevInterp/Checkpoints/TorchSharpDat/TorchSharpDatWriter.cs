using System.Text;
using TorchSharp;

namespace DevInterp.Checkpoints.TorchSharpDat;

/// <summary>
/// Writes TorchSharp state dicts in the layout <c>Module.load</c> reads (see <see cref="TorchSharpDatReader"/>).
/// Files appear atomically (written to a temporary name, then renamed).
/// </summary>
public static class TorchSharpDatWriter
{
    /// <summary>Writes TorchSharp tensors (any device, any layout; copied to contiguous CPU memory) under their names.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors)
    {
        var list = tensors.ToList();
        var infos = list.Select(kv => new TensorInfo(kv.Key, TensorDTypes.FromScalarType(kv.Value.dtype), kv.Value.shape)).ToList();
        int next = 0; // writeData is called once per tensor, in order
        Write(path, infos, (info, stream) =>
        {
            using var scope = torch.NewDisposeScope();
            var t = list[next++].Value.detach().cpu().contiguous();
            if (info.ElementCount > 0) stream.Write(t.bytes);
        });
    }

    /// <summary>Writes tensors whose bytes (contiguous, little-endian) are already in memory.</summary>
    public static void Write(string path, IReadOnlyList<(TensorInfo Info, ReadOnlyMemory<byte> Data)> tensors)
    {
        int next = 0;
        Write(path, tensors.Select(t => t.Info).ToList(), (_, stream) => stream.Write(tensors[next++].Data.Span));
    }

    /// <summary>
    /// Writes a state dict whose tensors are described by <paramref name="tensors"/>; <paramref name="writeData"/> is
    /// called once per tensor, in order, and must write exactly <see cref="TensorInfo.ByteCount"/> bytes.
    /// </summary>
    public static void Write(string path, IReadOnlyList<TensorInfo> tensors, Action<TensorInfo, Stream> writeData)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!names.Add(t.Name)) throw new ArgumentException($"tensor '{t.Name}' appears twice");
            if (!t.DType.IsSupported()) throw new ArgumentException($"tensor '{t.Name}': dtype {t.DType.TorchName()} is not written");
            if (t.Shape.Any(d => d < 0)) throw new ArgumentException($"tensor '{t.Name}': shape {t.ShapeText} has a negative dimension");
        }
        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Leb128.Write(stream, tensors.Count);
                foreach (var t in tensors)
                {
                    byte[] name = Encoding.UTF8.GetBytes(t.Name);
                    Leb128.Write(stream, name.Length); // identical to BinaryWriter's 7-bit length prefix
                    stream.Write(name);
                    Leb128.Write(stream, TorchSharpElementTypes.Code(t.DType));
                    Leb128.Write(stream, t.Shape.Count);
                    foreach (long d in t.Shape) Leb128.Write(stream, d);
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
}
