using System.Globalization;
using System.Text;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>One regular file inside a tar archive: where its bytes are in the outer file.</summary>
internal sealed record TarEntry(string Name, long DataOffset, long Size);

/// <summary>
/// A minimal tar reader (ustar headers with checksums, pax 'path'/'size' records, GNU long names) over a memory map;
/// every size is checked against the file length.
/// </summary>
internal static class TarArchive
{
    private const int Block = 512;

    public static IReadOnlyList<TarEntry> Read(MappedFile file)
    {
        string path = file.Path;
        var entries = new List<TarEntry>();
        long position = 0;
        string? pendingName = null;
        long? pendingSize = null;
        while (file.Length - position >= Block)
        {
            var header = file.Span(position, Block);
            if (header.IndexOfAnyExcept((byte)0) < 0) break; // end-of-archive marker
            VerifyChecksum(path, header, position);
            string name = CString(header[..100]);
            if (header[257..262].SequenceEqual("ustar"u8) && header[345] != 0) name = CString(header.Slice(345, 155)) + "/" + name;
            long size = ParseNumber(path, header.Slice(124, 12), position);
            byte type = header[156];
            long dataOffset = position + Block;
            if (size > file.Length - dataOffset)
                throw new CheckpointFormatException(path, $"truncated tar: entry '{name}' needs {size} bytes at {dataOffset}, the file ends at {file.Length}");
            var data = file.Span(dataOffset, Math.Min(size, 1 << 20));
            switch (type)
            {
                case (byte)'x':
                    foreach (var (key, value) in PaxRecords(data))
                    {
                        if (key == "path") pendingName = value;
                        else if (key == "size" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long s)) pendingSize = s;
                    }
                    break;
                case (byte)'L':
                    pendingName = CString(data);
                    break;
                case (byte)'g':
                    break;
                default:
                    if (pendingSize is { } paxSize)
                    {
                        if (paxSize > file.Length - dataOffset)
                            throw new CheckpointFormatException(path, $"truncated tar: entry '{name}' needs {paxSize} bytes at {dataOffset}, the file ends at {file.Length}");
                        size = paxSize;
                    }
                    if (type is 0 or (byte)'0' or (byte)'7') entries.Add(new TarEntry(pendingName ?? name, dataOffset, size));
                    pendingName = null;
                    pendingSize = null;
                    break;
            }
            position = dataOffset + (size + Block - 1) / Block * Block;
        }
        return entries;
    }

    private static void VerifyChecksum(string path, ReadOnlySpan<byte> header, long position)
    {
        long stored = ParseNumber(path, header.Slice(148, 8), position);
        long sum = 0;
        for (int i = 0; i < Block; i++) sum += i is >= 148 and < 156 ? ' ' : header[i];
        if (sum != stored) throw new CheckpointFormatException(path, $"corrupt tar: header checksum mismatch at byte {position}");
    }

    private static long ParseNumber(string path, ReadOnlySpan<byte> field, long position)
    {
        if ((field[0] & 0x80) != 0)
        {
            // GNU base-256 for large sizes.
            long big = field[0] & 0x3F;
            for (int i = 1; i < field.Length; i++)
            {
                if (big > (long.MaxValue >> 8)) throw new CheckpointFormatException(path, $"corrupt tar: number out of range at byte {position}");
                big = (big << 8) | field[i];
            }
            return big;
        }
        long value = 0;
        foreach (byte b in field)
        {
            if (b is 0 or (byte)' ') { if (value > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') throw new CheckpointFormatException(path, $"corrupt tar: bad octal digit in header at byte {position}");
            if (value > (long.MaxValue >> 3)) throw new CheckpointFormatException(path, $"corrupt tar: number out of range at byte {position}");
            value = value * 8 + (b - '0');
        }
        return value;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    // Pax records: "<length> <key>=<value>\n".
    private static List<(string, string)> PaxRecords(ReadOnlySpan<byte> data)
    {
        var records = new List<(string, string)>();
        string text = Encoding.UTF8.GetString(data);
        int at = 0;
        while (at < text.Length)
        {
            int space = text.IndexOf(' ', at);
            if (space < 0 || !int.TryParse(text.AsSpan(at, space - at), NumberStyles.None, CultureInfo.InvariantCulture, out int length) ||
                length <= space - at || at + length > text.Length) break;
            string record = text.Substring(space + 1, at + length - space - 1).TrimEnd('\n');
            int eq = record.IndexOf('=');
            if (eq > 0) records.Add((record[..eq], record[(eq + 1)..]));
            at += length;
        }
        return records;
    }
}
