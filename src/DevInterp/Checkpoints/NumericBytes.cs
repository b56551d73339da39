using System.Buffers.Binary;

namespace DevInterp.Checkpoints;

/// <summary>
/// Decoding of raw numeric arrays described numpy-style (kind 'f', 'i', 'u' or 'b' plus item size and byte order) into
/// float64, and reordering of column-major (Fortran) data to row-major. Shared by the .npy reader and numpy arrays found
/// inside torch.save pickles.
/// </summary>
internal static class NumericBytes
{
    /// <summary>The numpy type codes that can be decoded (byte order aside).</summary>
    public const string Supported = "f2, f4, f8, i1, i2, i4, i8, u1, u2, u4, u8, b1";

    /// <summary>Decodes <paramref name="data"/>; false when the kind and size are not a supported numeric type.</summary>
    public static bool TryToDoubles(char kind, int itemSize, bool bigEndian, ReadOnlySpan<byte> data, out double[] values)
    {
        values = [];
        bool known = (kind, itemSize) switch
        {
            ('f', 2 or 4 or 8) or ('i', 1 or 2 or 4 or 8) or ('u', 1 or 2 or 4 or 8) or ('b', 1) => true,
            _ => false,
        };
        if (!known || data.Length % itemSize != 0) return false;
        int n = data.Length / itemSize;
        values = new double[n];
        var item = new byte[8];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> raw = data.Slice(i * itemSize, itemSize);
            if (bigEndian && itemSize > 1)
            {
                raw.CopyTo(item);
                item.AsSpan(0, itemSize).Reverse();
                raw = item.AsSpan(0, itemSize);
            }
            values[i] = (kind, itemSize) switch
            {
                ('f', 2) => (double)BinaryPrimitives.ReadHalfLittleEndian(raw),
                ('f', 4) => BinaryPrimitives.ReadSingleLittleEndian(raw),
                ('f', 8) => BinaryPrimitives.ReadDoubleLittleEndian(raw),
                ('i', 1) => (sbyte)raw[0],
                ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(raw),
                ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(raw),
                ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(raw),
                ('u', 1) => raw[0],
                ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(raw),
                ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(raw),
                ('u', 8) => BinaryPrimitives.ReadUInt64LittleEndian(raw),
                _ => raw[0] != 0 ? 1 : 0,
            };
        }
        return true;
    }

    /// <summary>Column-major values of an array of <paramref name="shape"/> reordered to row-major.</summary>
    public static double[] FortranToRowMajor(double[] values, long[] shape)
    {
        if (shape.Length < 2) return values;
        var result = new double[values.Length];
        if (values.Length == 0) return result;
        int nd = shape.Length;
        // Fortran strides: the first index varies fastest.
        var stride = new long[nd];
        stride[0] = 1;
        for (int d = 1; d < nd; d++) stride[d] = stride[d - 1] * shape[d - 1];
        var index = new long[nd];
        long source = 0;
        for (long i = 0; i < result.LongLength; i++)
        {
            result[i] = values[source];
            for (int d = nd - 1; d >= 0; d--)
            {
                source += stride[d];
                if (++index[d] < shape[d]) break;
                source -= stride[d] * shape[d];
                index[d] = 0;
            }
        }
        return result;
    }
}
