using System.Buffers.Binary;

namespace DevInterp.Tests.Checkpoints;

/// <summary>One corrupted variant of a file and how it was made (for the failure message).</summary>
public sealed record FuzzMutant(string Description, byte[] Bytes);

/// <summary>
/// Deterministic corruptions of a file: truncations, bit flips, byte overwrites and oversized length fields in the
/// structural region (where headers, names and lengths live), and appended garbage.
/// </summary>
public static class FuzzMutants
{
    /// <summary>Bytes from the start (and, for zip archives, from the end) that hold the file's structure.</summary>
    private const int HeadRegion = 512;
    private const int TailRegion = 128;

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'{', (byte)'}', (byte)'"', (byte)',', (byte)':', (byte)'[', (byte)']', (byte)'-', (byte)'9'];

    /// <summary>About <paramref name="count"/> mutants of <paramref name="original"/>, the same for the same seed.</summary>
    public static IEnumerable<FuzzMutant> Generate(byte[] original, int seed, int count)
    {
        var random = new Random(seed);
        int n = original.Length;
        int perKind = Math.Max(1, count / 8);

        // Truncations: every short prefix, then lengths spread over the file, then random ones.
        var lengths = new SortedSet<int>(Enumerable.Range(0, Math.Min(n, 48)));
        for (int i = 1; i <= perKind / 2; i++) lengths.Add((int)((long)n * i / (perKind / 2 + 1)));
        while (lengths.Count < Math.Min(n, 48 + perKind)) lengths.Add(random.Next(n));
        foreach (int length in lengths) yield return new($"truncated to {length} of {n} bytes", original[..length]);

        for (int i = 0; i < perKind; i++)
        {
            int position = StructuralPosition(random, n);
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
                int position = random.Next(4) == 0 ? random.Next(n) : StructuralPosition(random, n);
                int bit = random.Next(8);
                bytes[position] ^= (byte)(1 << bit);
                where.Add($"{position}.{bit}");
            }
            yield return new($"{flips} bits flipped (byte.bit: {string.Join(' ', where)})", bytes);
        }

        for (int i = 0; i < perKind * 2; i++)
        {
            var bytes = (byte[])original.Clone();
            int position = StructuralPosition(random, n);
            byte value = original[position] is >= (byte)'0' and <= (byte)'9' && random.Next(2) == 0
                ? (byte)('0' + random.Next(10)) // rewrite a digit of a JSON number (shape, offset)
                : random.Next(3) == 0 ? (byte)random.Next(256) : InterestingBytes[random.Next(InterestingBytes.Length)];
            bytes[position] = value;
            yield return new($"byte {position} overwritten with 0x{value:X2}", bytes);
        }

        foreach (var mutant in HugeLengths(original, random, perKind * 2)) yield return mutant;

        for (int i = 0; i < perKind; i++)
        {
            int extra = random.Next(4) == 0 ? random.Next(1, 8) : random.Next(1, 4096);
            var garbage = new byte[extra];
            random.NextBytes(garbage);
            yield return new($"{extra} random bytes appended", [.. original, .. garbage]);
        }
        yield return new("file appended to itself", [.. original, .. original]);
    }

    private static IEnumerable<FuzzMutant> HugeLengths(byte[] original, Random random, int count)
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
            int position = Math.Min(StructuralPosition(random, n), n - pattern.Length);
            var bytes = (byte[])original.Clone();
            pattern.CopyTo(bytes, position);
            yield return new($"{Convert.ToHexString(pattern)} written at byte {position}", bytes);
        }
    }

    private static int StructuralPosition(Random random, int n)
    {
        if (n <= HeadRegion + TailRegion) return random.Next(n);
        return random.Next(5) == 0 ? n - 1 - random.Next(TailRegion) : random.Next(HeadRegion);
    }
}
