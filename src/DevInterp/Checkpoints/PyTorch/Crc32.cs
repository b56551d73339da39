using System.Buffers.Binary;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>The zip CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), used to check pickles and inflated entries.</summary>
internal static class Crc32
{
    // Slicing-by-8: table k holds the CRC of a byte followed by k zero bytes, so eight bytes fold in with eight
    // independent lookups instead of a chain of eight dependent ones (about 4× faster than one table on data.pkl).
    private static readonly uint[] Tables = BuildTables();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC of the bytes whose CRC is <paramref name="crc"/> followed by <paramref name="data"/> (0 for none).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        // zlib's CRC-32 as the .NET runtime ships it (vectorised): a gigabyte of inflated storage is checked in a fraction
        // of a second even in a Debug build; the table version below is the fallback.
        if (data.Length >= 4096 && !_nativeMissing)
        {
            try
            {
                return Native(crc, data);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _nativeMissing = true;
            }
        }
        return Managed(crc, data);
    }

    private static bool _nativeMissing;

    private static unsafe uint Native(uint crc, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data) return NativeCrc32(crc, p, data.Length);
    }

    [System.Runtime.InteropServices.DllImport("libSystem.IO.Compression.Native", EntryPoint = "CompressionNative_Crc32")]
    private static extern unsafe uint NativeCrc32(uint crc, byte* buffer, int length);

    private static uint Managed(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables.AsSpan();
        crc = ~crc;
        while (data.Length >= 8)
        {
            uint lo = crc ^ BinaryPrimitives.ReadUInt32LittleEndian(data);
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[(7 * 256) + (int)(lo & 0xFF)] ^ t[(6 * 256) + (int)((lo >> 8) & 0xFF)] ^
                  t[(5 * 256) + (int)((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (int)(lo >> 24)] ^
                  t[(3 * 256) + (int)(hi & 0xFF)] ^ t[(2 * 256) + (int)((hi >> 8) & 0xFF)] ^
                  t[256 + (int)((hi >> 16) & 0xFF)] ^ t[(int)(hi >> 24)];
            data = data[8..];
        }
        foreach (byte b in data) crc = t[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            tables[n] = c;
        }
        for (int k = 1; k < 8; k++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = tables[((k - 1) * 256) + n];
                tables[(k * 256) + n] = (previous >> 8) ^ tables[previous & 0xFF];
            }
        }
        return tables;
    }
}
