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
/// A deflated zip entry, inflated as a stream only as far as readers ask (a tensor that needs 16 bytes of a 1 GiB
/// storage inflates 16 bytes), within the allowance of <see cref="CheckpointLimits.CheckInflation"/>. The inflated
/// prefix is kept only weakly, so memory follows the caller's needs; the declared size and the CRC-32 are checked once
/// the whole entry has been inflated.
/// </summary>
internal sealed class DeflatedStorageBytes : StorageBytes
{
    /// <summary>Deflate cannot expand data by more than about 1032:1; a larger claim is corrupt.</summary>
    public const long MaxRatio = 1032;

    private readonly MappedFile _file;
    private readonly ZipEntry _entry;
    private readonly InflationBudget _budget;
    private readonly Lock _gate = new();
    private readonly WeakReference<Inflation?> _state = new(null);
    private long _charged; // bytes of this entry counted against the file's budget (the longest prefix inflated so far)

    public DeflatedStorageBytes(MappedFile file, ZipEntry entry, InflationBudget? budget = null)
    {
        if (entry.UncompressedSize > entry.CompressedSize * MaxRatio + 64)
            throw new CheckpointFormatException(file.Path, $"corrupt zip: deflated entry '{entry.Name}' claims {entry.UncompressedSize} bytes from {entry.CompressedSize} compressed");
        _file = file;
        _entry = entry;
        _budget = budget ?? new InflationBudget(file.Path, file.Length);
    }

    public override long Length => _entry.UncompressedSize;

    public override ReadOnlySpan<byte> Span(long offset, int count) => Prefix(offset + count).AsSpan(checked((int)offset), count);

    public override void CopyTo(long offset, Span<byte> destination) =>
        Prefix(offset + destination.Length).AsSpan(checked((int)offset), destination.Length).CopyTo(destination);

    /// <summary>The whole inflated entry (a deflated data.pkl), its size and CRC-32 checked.</summary>
    public byte[] Inflated() => Prefix(Length);

    // An array holding at least the first `end` inflated bytes (exactly Length bytes once the whole entry is inflated).
    private byte[] Prefix(long end)
    {
        if (end > Length) throw new ArgumentOutOfRangeException(nameof(end), $"byte {end} lies past the entry's {Length} bytes");
        CheckpointLimits.CheckInflation(_file.Path, _entry.Name, end, _entry.CompressedSize);
        if (end > Array.MaxLength)
            throw new CheckpointFormatException(_file.Path, $"deflated entry '{_entry.Name}': {end} inflated bytes are needed, more than one array holds; store it uncompressed");
        lock (_gate)
        {
            if (end > _charged)
            {
                _budget.Charge(_entry.Name, end - _charged);
                _charged = end;
            }
            if (!_state.TryGetTarget(out var state) || state is null)
            {
                state = new Inflation(_file, _entry);
                _state.SetTarget(state);
            }
            return state.InflateTo(end);
        }
    }

    /// <summary>A deflate stream over the entry and the bytes it has produced so far.</summary>
    private sealed class Inflation(MappedFile file, ZipEntry entry)
    {
        private readonly DeflateStream _inflater = new(new FileRegionStream(file, entry.DataOffset, entry.CompressedSize), CompressionMode.Decompress);
        private byte[] _buffer = [];
        private int _filled;
        private uint _crc;
        private bool _checked;

        public byte[] InflateTo(long end)
        {
            try
            {
                while (_filled < end)
                {
                    if (_buffer.Length < end) Grow(end);
                    // Ask for what is needed (at least 64 KiB at a time), not for the whole rest of the buffer.
                    int want = (int)Math.Min(_buffer.Length - _filled, Math.Max(end - _filled, 1 << 16));
                    int read = _inflater.Read(_buffer, _filled, want);
                    if (read == 0)
                        throw new CheckpointFormatException(file.Path, $"corrupt zip: deflated entry '{entry.Name}' holds {_filled} bytes, {entry.UncompressedSize} declared");
                    _crc = Crc32.Append(_crc, _buffer.AsSpan(_filled, read));
                    _filled += read;
                }
                if (_filled == entry.UncompressedSize && !_checked)
                {
                    if (_inflater.ReadByte() >= 0)
                        throw new CheckpointFormatException(file.Path, $"corrupt zip: deflated entry '{entry.Name}' holds more than the {entry.UncompressedSize} bytes declared");
                    if (_crc != entry.Crc32) throw new CheckpointFormatException(file.Path, $"corrupt zip: CRC-32 mismatch in entry '{entry.Name}'");
                    _checked = true;
                }
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointFormatException(file.Path, $"corrupt zip: deflated entry '{entry.Name}' does not inflate ({e.Message})", e);
            }
            return _buffer;
        }

        // Grows by half again (never past the declared size), so reading a storage chunk by chunk costs amortised
        // linear time and at most 1.5x the bytes needed.
        private void Grow(long end)
        {
            long size = Math.Min(entry.UncompressedSize, Math.Max(end, _buffer.Length + (_buffer.Length >> 1)));
            Array.Resize(ref _buffer, (int)Math.Min(size, Array.MaxLength));
        }
    }
}

/// <summary>
/// The bytes all deflated entries of one file may inflate to together: <see cref="CheckpointLimits.FreeInflationBytes"/>
/// plus <see cref="CheckpointLimits.MaxInflationRatio"/> times the file's size. Each entry counts the longest prefix it
/// has inflated, so many small bombs in one file are refused like one large one, and memory stays bounded.
/// </summary>
internal sealed class InflationBudget(string path, long fileLength)
{
    private long _used;

    public void Charge(string entry, long bytes)
    {
        long allowed = CheckpointLimits.FreeInflationBytes + CheckpointLimits.MaxInflationRatio * fileLength;
        if (Interlocked.Add(ref _used, bytes) > allowed)
        {
            throw new CheckpointFormatException(path,
                $"deflated entries inflate to more than {CheckpointLimits.Bytes(allowed)} in all (at entry '{entry}'), over {CheckpointLimits.MaxInflationRatio}:1 " +
                $"of the {CheckpointLimits.Bytes(fileLength)} file beyond the first {CheckpointLimits.Bytes(CheckpointLimits.FreeInflationBytes)} " +
                "(a decompression bomb, or all-zero data: store the entries uncompressed, as torch.save does)");
        }
    }
}

/// <summary>A region of an open file as a read-only stream of positioned reads (the input of an inflater).</summary>
internal sealed class FileRegionStream(MappedFile file, long offset, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Min(buffer.Length, length - _position);
        if (n <= 0) return 0;
        file.CopyTo(offset + _position, buffer[..n]);
        _position += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Reads small zip entries (data.pkl, byteorder) whole.</summary>
internal static class ZipInflater
{
    /// <summary>
    /// The bytes of an entry: one positioned read when stored (no map for bytes read once), an inflated copy (size
    /// and CRC checked) when deflated.
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
