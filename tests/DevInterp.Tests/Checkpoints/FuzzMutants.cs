using System.Buffers.Binary;

namespace DevInterp.Tests.Checkpoints;

/// <summary>One corrupted variant of a file and how it was made (for the failure message).</summary>
public sealed record FuzzMutant(string Description, byte[] Bytes);

/// <summary>
/// Deterministic corruptions of a file: truncations, bit flips, byte overwrites and oversized length fields in the
/// structural region (where headers, names and lengths live), and appended garbage.
/// </summary>
/// <remarks>
/// The structural region is the first 512 bytes and, for zip archives, the last 128. A tar archive keeps a 512-byte
/// header before every entry and ends in zero padding, so for a tar (ustar magic at byte 257) it is everything up to
/// the last non-zero byte: every header and every entry (pickles, storage records) is in reach. A tar header carries a
/// checksum, which stops almost every header corruption at the first check; so each tar mutant that changed a header
/// comes twice, as is and with its header checksums recomputed, which lets the corrupt size, type, name and pax fields
/// through to the code that parses them.
/// </remarks>
public static class FuzzMutants
{
    /// <summary>Bytes from the start (and, for zip archives, from the end) that hold the file's structure.</summary>
    private const int HeadRegion = 512;
    private const int TailRegion = 128;

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'{', (byte)'}', (byte)'"', (byte)',', (byte)':', (byte)'[', (byte)']', (byte)'-', (byte)'9'];

    /// <summary>
    /// About <paramref name="count"/> mutants of <paramref name="original"/> (up to twice as many for a tar), the same
    /// for the same seed.
    /// </summary>
    public static IEnumerable<FuzzMutant> Generate(byte[] original, int seed, int count)
    {
        var headers = TarHeaderOffsets(original);
        foreach (var mutant in Basic(original, seed, count))
        {
            yield return mutant;
            if (headers.Count == 0) continue;
            var fixedUp = (byte[])mutant.Bytes.Clone();
            bool changed = false;
            foreach (int at in headers)
            {
                if (at + 512 > fixedUp.Length || fixedUp.AsSpan(at, 512).SequenceEqual(original.AsSpan(at, 512))) continue;
                WriteTarChecksum(fixedUp.AsSpan(at, 512));
                changed = true;
            }
            if (changed) yield return new(mutant.Description + ", tar header checksums recomputed", fixedUp);
        }
    }

    /// <summary>Where the headers of a tar archive start (none when it is not one).</summary>
    public static IReadOnlyList<int> TarHeaderOffsets(byte[] file)
    {
        var offsets = new List<int>();
        if (file.Length < 262 || !file.AsSpan(257, 5).SequenceEqual("ustar"u8)) return offsets;
        int at = 0;
        while (at + 512 <= file.Length && file.AsSpan(at, 512).IndexOfAnyExcept((byte)0) >= 0)
        {
            offsets.Add(at);
            long size = 0;
            foreach (byte b in file.AsSpan(at + 124, 12))
            {
                if (b is >= (byte)'0' and <= (byte)'7') size = size * 8 + (b - '0');
                else if (size > 0) break;
            }
            at += 512 + (int)((size + 511) / 512 * 512);
        }
        return offsets;
    }

    /// <summary>Sets a tar header's checksum field (bytes 148..155) to the sum of its bytes, the field counted as spaces.</summary>
    public static void WriteTarChecksum(Span<byte> header)
    {
        header.Slice(148, 8).Fill((byte)' ');
        long sum = 0;
        foreach (byte b in header) sum += b;
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[148..]);
    }

    private static IEnumerable<FuzzMutant> Basic(byte[] original, int seed, int count)
    {
        var random = new Random(seed);
        int n = original.Length;
        int head = StructuralHead(original);
        int perKind = Math.Max(1, count / 8);

        // Truncations: every short prefix, then lengths spread over the file, then random ones.
        var lengths = new SortedSet<int>(Enumerable.Range(0, Math.Min(n, 48)));
        for (int i = 1; i <= perKind / 2; i++) lengths.Add((int)((long)n * i / (perKind / 2 + 1)));
        while (lengths.Count < Math.Min(n, 48 + perKind)) lengths.Add(random.Next(n));
        foreach (int length in lengths) yield return new($"truncated to {length} of {n} bytes", original[..length]);

        for (int i = 0; i < perKind; i++)
        {
            int position = StructuralPosition(random, n, head);
            int bit = random.Next(8);
            var bytes = (byte[])original.Clone();
            bytes[position] ^= (byte)(1 << bit);
            yield return new($"bit {bit} of byte {position} flipped", bytes);
        }

        for (int i = 0; i < perKind; i++)
        {
            var bytes = (byte[])original.Clone();
            int flips = random.Next(2, 9);
            var where = new List<string>();
            for (int f = 0; f < flips; f++)
            {
                int position = random.Next(4) == 0 ? random.Next(n) : StructuralPosition(random, n, head);
                int bit = random.Next(8);
                bytes[position] ^= (byte)(1 << bit);
                where.Add($"{position}.{bit}");
            }
            yield return new($"{flips} bits flipped (byte.bit: {string.Join(' ', where)})", bytes);
        }

        for (int i = 0; i < perKind * 2; i++)
        {
            var bytes = (byte[])original.Clone();
            int position = StructuralPosition(random, n, head);
            byte value = original[position] is >= (byte)'0' and <= (byte)'9' && random.Next(2) == 0
                ? (byte)('0' + random.Next(10)) // rewrite a digit of a JSON number (shape, offset)
                : random.Next(3) == 0 ? (byte)random.Next(256) : InterestingBytes[random.Next(InterestingBytes.Length)];
            bytes[position] = value;
            yield return new($"byte {position} overwritten with 0x{value:X2}", bytes);
        }

        foreach (var mutant in HugeLengths(original, random, perKind * 2, head)) yield return mutant;

        for (int i = 0; i < perKind; i++)
        {
            int extra = random.Next(4) == 0 ? random.Next(1, 8) : random.Next(1, 4096);
            var garbage = new byte[extra];
            random.NextBytes(garbage);
            yield return new($"{extra} random bytes appended", [.. original, .. garbage]);
        }
        yield return new("file appended to itself", [.. original, .. original]);
    }

    private static IEnumerable<FuzzMutant> HugeLengths(byte[] original, Random random, int count, int head)
    {
        int n = original.Length;
        // The safetensors header length (and whatever else sits in the first 8 bytes).
        foreach (ulong value in new ulong[] { (ulong)n, (ulong)n - 7, (ulong)n + 1, 100_000_000, 100_000_001, uint.MaxValue, long.MaxValue, ulong.MaxValue, 1UL << 63 })
        {
            if (n < 8) break;
            var bytes = (byte[])original.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
            yield return new($"first 8 bytes set to {value}", bytes);
        }
        // 32- and 64-bit little-endian fields and LEB128 numbers at structural positions.
        byte[][] patterns =
        [
            [0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0x7F], [0x00, 0x00, 0x00, 0x80], [0xFE, 0xFF, 0xFF, 0xFF],
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], [0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00],
            [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40], [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        ];
        for (int i = 0; i < count; i++)
        {
            byte[] pattern = patterns[random.Next(patterns.Length)];
            if (n < pattern.Length) yield break;
            int position = Math.Min(StructuralPosition(random, n, head), n - pattern.Length);
            var bytes = (byte[])original.Clone();
            pattern.CopyTo(bytes, position);
            yield return new($"{Convert.ToHexString(pattern)} written at byte {position}", bytes);
        }
    }

    /// <summary>How many leading bytes hold the file's structure (see the remarks on the class).</summary>
    public static int StructuralHead(byte[] original)
    {
        bool tar = original.Length >= 262 && original.AsSpan(257, 5).SequenceEqual("ustar"u8);
        return tar ? Math.Max(HeadRegion, original.AsSpan().LastIndexOfAnyExcept((byte)0) + 1) : HeadRegion;
    }

    private static int StructuralPosition(Random random, int n, int head)
    {
        if (n <= head + TailRegion) return random.Next(n);
        return random.Next(5) == 0 ? n - 1 - random.Next(TailRegion) : random.Next(head);
    }
}
