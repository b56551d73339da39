using System.IO.Compression;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>Where the bytes of one storage live: a region of the file, or a deflated zip entry.</summary>
internal abstract class StorageBytes
{
    /// <summary>Bytes available.</summary>
    public abstract long Length { get; }

    /// <summary>The bytes in [offset, offset + count); the caller keeps the range inside <see cref="Length"/>.</summary>
    public abstract ReadOnlySpan<byte> Span(long offset, int count);

    /// <summary>Copies [offset, offset + destination.Length) into the destination.</summary>
    public virtual void CopyTo(long offset, Span<byte> destination) => Span(offset, destination.Length).CopyTo(destination);
}

/// <summary>
/// A storage stored uncompressed in the file: copies are positioned reads; spans (strided views) point straight into
/// the memory map, which the first such span creates.
/// </summary>
internal sealed class MappedStorageBytes(MappedFile file, long offset, long length) : StorageBytes
{
    public override long Length => length;

    public override ReadOnlySpan<byte> Span(long start, int count) => file.Span(offset + start, count);

    public override void CopyTo(long start, Span<byte> destination)
    {
        if (start < 0 || destination.Length > length - start)
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start}, {start}+{destination.Length}) lies outside the storage's {length} bytes");
        file.CopyTo(offset + start, destination);
    }
}

/// <summary>
/// A deflated zip entry, inflated on first use (into an array of exactly its declared size, bounded by the deflate
/// ratio limit) and kept only weakly so memory follows the caller's needs.
/// </summary>
internal sealed class DeflatedStorageBytes : StorageBytes
{
    /// <summary>Deflate cannot expand data by more than about 1032:1; a larger claim is corrupt.</summary>
    public const long MaxRatio = 1032;

    private readonly MappedFile _file;
    private readonly ZipEntry _entry;
    private readonly WeakReference<byte[]?> _cache = new(null);

    public DeflatedStorageBytes(MappedFile file, ZipEntry entry)
    {
        if (entry.UncompressedSize > entry.CompressedSize * MaxRatio + 64)
            throw new CheckpointFormatException(file.Path, $"corrupt zip: deflated entry '{entry.Name}' claims {entry.UncompressedSize} bytes from {entry.CompressedSize} compressed");
        if (entry.UncompressedSize > Array.MaxLength)
            throw new CheckpointFormatException(file.Path, $"deflated entry '{entry.Name}' of {entry.UncompressedSize} bytes is too large to inflate; store it uncompressed");
        _file = file;
        _entry = entry;
    }

    public override long Length => _entry.UncompressedSize;

    public override ReadOnlySpan<byte> Span(long offset, int count) => Inflated().AsSpan(checked((int)offset), count);

    /// <summary>The whole inflated entry (also used for a deflated data.pkl).</summary>
    public byte[] Inflated()
    {
        lock (_cache)
        {
            if (_cache.TryGetTarget(out byte[]? cached) && cached is not null) return cached;
            byte[] data = ZipInflater.Inflate(_file, _entry);
            _cache.SetTarget(data);
            return data;
        }
    }
}

/// <summary>Inflates one deflated zip entry with its declared size and CRC checked.</summary>
internal static class ZipInflater
{
    public static byte[] Inflate(MappedFile file, ZipEntry entry)
    {
        // Grow the buffer only as real output arrives, so a corrupt size claim costs no more memory than the data
        // actually inflates to.
        byte[] result = new byte[Math.Min(entry.UncompressedSize, Math.Max(4096, 4 * entry.CompressedSize))];
        int filled = 0;
        try
        {
            if (entry.CompressedSize > Array.MaxLength)
                throw new CheckpointFormatException(file.Path, $"deflated entry '{entry.Name}' of {entry.CompressedSize} compressed bytes is too large to inflate; store it uncompressed");
            using var input = new MemoryStream(file.ReadArray(entry.DataOffset, entry.CompressedSize), writable: false);
            using var inflater = new DeflateStream(input, CompressionMode.Decompress);
            while (true)
            {
                if (filled == result.Length)
                {
                    if (filled == entry.UncompressedSize) break;
                    Array.Resize(ref result, (int)Math.Min(entry.UncompressedSize, 2L * result.Length));
                }
                int read = inflater.Read(result, filled, result.Length - filled);
                if (read == 0) break;
                filled += read;
            }
            if (filled != entry.UncompressedSize)
                throw new CheckpointFormatException(file.Path, $"corrupt zip: deflated entry '{entry.Name}' holds {filled} bytes, {entry.UncompressedSize} declared");
            if (inflater.ReadByte() >= 0)
                throw new CheckpointFormatException(file.Path, $"corrupt zip: deflated entry '{entry.Name}' holds more than the {entry.UncompressedSize} bytes declared");
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(file.Path, $"corrupt zip: deflated entry '{entry.Name}' does not inflate ({e.Message})", e);
        }
        if (Crc32.Compute(result) != entry.Crc32)
            throw new CheckpointFormatException(file.Path, $"corrupt zip: CRC-32 mismatch in entry '{entry.Name}'");
        return result;
    }

    /// <summary>
    /// The bytes of a (small) entry: one positioned read when stored (no map for bytes read once), an inflated copy
    /// when deflated.
    /// </summary>
    public static byte[] Read(MappedFile file, ZipEntry entry, bool checkCrc)
    {
        if (entry.Method == 8) return new DeflatedStorageBytes(file, entry).Inflated();
        byte[] bytes = file.ReadArray(entry.DataOffset, entry.CompressedSize);
        if (checkCrc && Crc32.Compute(bytes) != entry.Crc32)
            throw new CheckpointFormatException(file.Path, $"corrupt zip: CRC-32 mismatch in entry '{entry.Name}'");
        return bytes;
    }
}
