using System.Buffers.Binary;
using System.Text;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>One member of a zip archive, with the offset of its data already resolved from the local header.</summary>
/// <param name="Name">Path inside the archive.</param>
/// <param name="Method">0 stored, 8 deflated.</param>
/// <param name="DataOffset">Where the (possibly compressed) bytes start in the file.</param>
/// <param name="CompressedSize">Bytes in the file.</param>
/// <param name="UncompressedSize">Bytes after decompression.</param>
/// <param name="Crc32">CRC-32 of the uncompressed bytes.</param>
/// <param name="LocalOffset">Where the entry's local header starts.</param>
internal sealed record ZipEntry(string Name, int Method, long DataOffset, long CompressedSize, long UncompressedSize, uint Crc32, long LocalOffset = 0);

/// <summary>The members of a zip archive, in central-directory order and by name (names are unique).</summary>
/// <param name="Entries">Every entry, in directory order.</param>
/// <param name="ByName">The same entries by name.</param>
internal sealed record ZipListing(IReadOnlyList<ZipEntry> Entries, IReadOnlyDictionary<string, ZipEntry> ByName);

/// <summary>
/// A minimal reader of a zip central directory (end record, zip64 end record and locator, central headers with zip64
/// extra fields, local headers), enough for the archives <c>torch.save</c> and Python's zipfile write. Every offset and
/// length is checked against the file size; nothing is decompressed here. The file is read with positioned reads, not
/// a memory map: the last 4 KiB (which hold the end record and, for a checkpoint of a few dozen tensors, the whole
/// central directory) in one read, then one small read per local header outside it.
/// </summary>
internal static class ZipDirectory
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint CentralSignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const int EndSize = 22;
    private const int CentralSize = 46;
    private const int LocalSize = 30;
    private const int MaxCommentLength = 0xFFFF;
    private const int FirstTailBytes = 4096;

    /// <summary>Reads every entry of the archive.</summary>
    public static ZipListing Read(MappedFile file)
    {
        string path = file.Path;
        long length = file.Length;
        if (length < EndSize) throw new CheckpointFormatException(path, $"truncated zip archive: {length} bytes, less than an end-of-directory record");

        var tail = ZipTail.Read(file, FirstTailBytes);
        long end = FindEndRecord(tail, length);
        if (end < 0 && tail.Start > 0)
        {
            // A comment longer than the first read: search the whole range the end record may lie in.
            tail = ZipTail.Read(file, EndSize + MaxCommentLength);
            end = FindEndRecord(tail, length);
        }
        if (end < 0) throw new CheckpointFormatException(path, "truncated or corrupt zip archive: no end-of-central-directory record");

        var record = tail.Get(file, end, EndSize);
        long entryCount = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(record[4..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(record[6..]) != 0)
            throw new CheckpointFormatException(path, "multi-volume (split) zip archives are not supported");

        if (entryCount == 0xFFFF || directorySize == 0xFFFFFFFF || directoryOffset == 0xFFFFFFFF)
            (entryCount, directorySize, directoryOffset) = ReadZip64End(file, tail, end);

        if (directoryOffset > end || directorySize > end - directoryOffset)
            throw new CheckpointFormatException(path, $"corrupt or truncated zip: the central directory [{directoryOffset}, +{directorySize}) does not end before the end record at {end}");
        if (entryCount > directorySize / CentralSize)
            throw new CheckpointFormatException(path, $"corrupt zip: {entryCount} entries cannot fit a {directorySize}-byte central directory");
        if (directorySize > Array.MaxLength)
            throw new CheckpointFormatException(path, $"zip central directory of {directorySize} bytes is too large (more than 2 GB)");

        var directory = tail.Get(file, directoryOffset, directorySize);
        int capacity = (int)Math.Min(entryCount, 4096); // grow with real entries, not the claim
        var entries = new List<ZipEntry>(capacity);
        var byName = new Dictionary<string, ZipEntry>(capacity, StringComparer.Ordinal);
        Span<byte> local = stackalloc byte[LocalSize];
        int position = 0;
        for (long i = 0; i < entryCount; i++)
        {
            var entry = ReadCentralEntry(file, tail, directory, ref position, directoryOffset, local);
            if (!byName.TryAdd(entry.Name, entry)) throw new CheckpointFormatException(path, $"corrupt zip: entry '{entry.Name}' appears twice");
            entries.Add(entry);
        }
        RefuseOverlaps(path, entries);
        return new ZipListing(entries, byName);
    }

    // Every entry owns the bytes from its local header to the end of its data. Entries that share bytes let a small file
    // name one large compressed block many times (each name inflated again), or make an entry read another's header or
    // data as its own; zip writers never produce them.
    private static void RefuseOverlaps(string path, List<ZipEntry> entries)
    {
        if (entries.Count < 2) return;
        var byOffset = entries.ToArray();
        Array.Sort(byOffset, (a, b) => a.LocalOffset.CompareTo(b.LocalOffset));
        for (int i = 1; i < byOffset.Length; i++)
        {
            var previous = byOffset[i - 1];
            long previousEnd = previous.DataOffset + previous.CompressedSize;
            if (byOffset[i].LocalOffset < previousEnd)
            {
                throw new CheckpointFormatException(path,
                    $"corrupt zip: entry '{byOffset[i].Name}' at byte {byOffset[i].LocalOffset} overlaps entry '{previous.Name}' (bytes {previous.LocalOffset} to {previousEnd})");
            }
        }
    }

    // The end record is the last 22 bytes plus a comment of at most 65535 bytes: the last signature whose comment
    // fits in the file. -1 when the tail holds none.
    private static long FindEndRecord(ZipTail tail, long length)
    {
        var bytes = tail.Bytes.AsSpan();
        for (int i = bytes.Length - EndSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[i..]) != EndSignature) continue;
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i + 20)..]);
            if (tail.Start + i + EndSize + commentLength <= length) return tail.Start + i;
        }
        return -1;
    }

    private static (long Count, long Size, long Offset) ReadZip64End(MappedFile file, ZipTail tail, long end)
    {
        string path = file.Path;
        if (end < 20) throw new CheckpointFormatException(path, "corrupt zip64 archive: no room for the zip64 locator");
        var locator = tail.Get(file, end - 20, 20);
        if (BinaryPrimitives.ReadUInt32LittleEndian(locator) != Zip64LocatorSignature)
            throw new CheckpointFormatException(path, "corrupt zip: sizes say zip64 but the zip64 end locator is missing");
        ulong recordOffset = BinaryPrimitives.ReadUInt64LittleEndian(locator[8..]);
        if (recordOffset > (ulong)(end - 20) || (ulong)(end - 20) - recordOffset < 56)
            throw new CheckpointFormatException(path, $"corrupt zip64 archive: end record offset {recordOffset} lies outside the file");
        var record = tail.Get(file, (long)recordOffset, 56);
        if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndSignature)
            throw new CheckpointFormatException(path, "corrupt zip64 archive: bad zip64 end record signature");
        ulong count = BinaryPrimitives.ReadUInt64LittleEndian(record[32..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(record[40..]);
        ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(record[48..]);
        if (count > (ulong)file.Length || size > (ulong)file.Length || offset > (ulong)file.Length)
            throw new CheckpointFormatException(path, "corrupt zip64 archive: directory bounds exceed the file");
        return ((long)count, (long)size, (long)offset);
    }

    private static ZipEntry ReadCentralEntry(MappedFile file, ZipTail tail, ReadOnlySpan<byte> directory, ref int position, long directoryOffset,
        Span<byte> localBuffer)
    {
        string path = file.Path;
        if (directory.Length - position < CentralSize) throw new CheckpointFormatException(path, "corrupt zip: central directory ends inside an entry header");
        var header = directory.Slice(position, CentralSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != CentralSignature)
            throw new CheckpointFormatException(path, $"corrupt zip: bad central directory entry signature at byte {directoryOffset + position}");
        int flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        int method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
        int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
        int total = CentralSize + nameLength + extraLength + commentLength;
        if (directory.Length - position < total) throw new CheckpointFormatException(path, "corrupt zip: central directory ends inside an entry name");
        string name = Encoding.UTF8.GetString(directory.Slice(position + CentralSize, nameLength));
        var extra = directory.Slice(position + CentralSize + nameLength, extraLength);
        ApplyZip64Extra(path, name, extra, ref compressed, ref uncompressed, ref localOffset);
        position += total;

        if ((flags & 1) != 0) throw new CheckpointFormatException(path, $"zip entry '{name}' is encrypted");
        if (method != 0 && method != 8)
            throw new CheckpointFormatException(path, $"zip entry '{name}' uses compression method {method}; only stored (0) and deflate (8) are supported");
        if (method == 0 && compressed != uncompressed)
            throw new CheckpointFormatException(path, $"corrupt zip: stored entry '{name}' has compressed size {compressed} but uncompressed size {uncompressed}");

        if (localOffset > directoryOffset || directoryOffset - localOffset < LocalSize)
            throw new CheckpointFormatException(path, $"corrupt zip: local header of '{name}' at {localOffset} lies outside the data area");
        var local = tail.Get(file, localOffset, localBuffer);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalSignature)
            throw new CheckpointFormatException(path, $"corrupt zip: bad local header signature for '{name}' at byte {localOffset}");
        long dataOffset = localOffset + LocalSize + BinaryPrimitives.ReadUInt16LittleEndian(local[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(local[28..]);
        if (dataOffset > directoryOffset || compressed > directoryOffset - dataOffset)
            throw new CheckpointFormatException(path, $"truncated or corrupt zip: data of '{name}' [{dataOffset}, +{compressed}) runs past the data area (ends at {directoryOffset})");
        return new ZipEntry(name, method, dataOffset, compressed, uncompressed, crc, localOffset);
    }

    // Zip64 extended information (header 0x0001): 8-byte values for each 32-bit field that is 0xFFFFFFFF, in order.
    private static void ApplyZip64Extra(string path, string name, ReadOnlySpan<byte> extra, ref long compressed, ref long uncompressed, ref long localOffset)
    {
        bool needU = uncompressed == 0xFFFFFFFF, needC = compressed == 0xFFFFFFFF, needO = localOffset == 0xFFFFFFFF;
        if (!needU && !needC && !needO) return;
        while (extra.Length >= 4)
        {
            int id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (size > extra.Length - 4) break;
            var body = extra.Slice(4, size);
            extra = extra[(4 + size)..];
            if (id != 1) continue;
            int at = 0;
            if (needU) uncompressed = Next(body, ref at);
            if (needC) compressed = Next(body, ref at);
            if (needO) localOffset = Next(body, ref at);
            return;

            long Next(ReadOnlySpan<byte> b, ref int offset)
            {
                if (b.Length - offset < 8) throw new CheckpointFormatException(path, $"corrupt zip: short zip64 field for '{name}'");
                ulong v = BinaryPrimitives.ReadUInt64LittleEndian(b[offset..]);
                offset += 8;
                if (v > long.MaxValue) throw new CheckpointFormatException(path, $"corrupt zip: zip64 size of '{name}' is out of range");
                return (long)v;
            }
        }
        throw new CheckpointFormatException(path, $"corrupt zip: '{name}' needs zip64 sizes but has no zip64 extra field");
    }
}
