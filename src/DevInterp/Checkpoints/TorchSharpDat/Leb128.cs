namespace DevInterp.Checkpoints.TorchSharpDat;

/// <summary>Unsigned LEB128 numbers as TorchSharp writes them (7 bits per byte, low group first, high bit = more).</summary>
internal static class Leb128
{
    /// <summary>Longest encoding of a 63-bit value.</summary>
    public const int MaxBytes = 9;

    public enum Status { Ok, Truncated, Overflow }

    /// <summary>
    /// Decodes a number at <paramref name="position"/>, advancing it on success. Values above
    /// <see cref="long.MaxValue"/> are <see cref="Status.Overflow"/>: TorchSharp never writes them and they would wrap.
    /// </summary>
    public static Status TryRead(ReadOnlySpan<byte> source, ref int position, out long value)
    {
        value = 0;
        int p = position;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 7 * (MaxBytes - 1)) return Status.Overflow; // a tenth byte: past 63 bits
            if (p >= source.Length) return Status.Truncated;
            byte b = source[p++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        position = p;
        return Status.Ok;
    }

    /// <summary>Appends the encoding of a non-negative number.</summary>
    public static void Write(Stream stream, long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            stream.WriteByte(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
    }
}
