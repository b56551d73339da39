using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using DevInterp.Checkpoints;

namespace DevInterp.Tasks.Files;

/// <summary>
/// Reads numpy's .npy format (versions 1.0, 2.0 and 3.0): the magic <c>\x93NUMPY</c>, a version, a little-endian header
/// length (2 bytes in 1.0, 4 bytes later), a Python-literal header dict {descr, fortran_order, shape}, then the raw
/// values. Numeric dtypes f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 in either byte order (big-endian is swapped); C or
/// Fortran order. Object, string, complex and structured arrays are refused.
/// </summary>
internal static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Opens a .npy file as one array field named <paramref name="name"/>.</summary>
    public static DataContents Open(string path, string name = "array")
    {
        byte[] bytes = DataFiles.ReadAllBytes(path);
        var array = Parse(bytes, path, name, label: null);
        return DataContents.Arrays(path, [array]);
    }

    /// <summary>Parses .npy bytes; <paramref name="label"/> names the member of an .npz in messages.</summary>
    public static NumericArray Parse(ReadOnlySpan<byte> bytes, string path, string name, string? label)
    {
        string where = label is null ? "" : $"{label}: ";
        DataFileException Fail(string reason) => new(path, where + reason);

        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw Fail($"not a .npy array (expected the magic bytes \\x93NUMPY, found {Convert.ToHexString(bytes[..Math.Min(bytes.Length, 6)])})");
        int major = bytes[6];
        int headerStart, headerLength;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
                headerStart = 10;
                break;
            case 2 or 3:
                if (bytes.Length < 12) throw Fail("truncated .npy header");
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
                if (length > int.MaxValue) throw Fail($"header length {length} is not plausible");
                headerLength = (int)length;
                headerStart = 12;
                break;
            default:
                throw Fail($".npy format version {major}.{bytes[7]} is not supported (1.0, 2.0 and 3.0 are)");
        }
        if (headerLength > bytes.Length - headerStart)
            throw Fail($"truncated: the header needs {headerLength} bytes, the file has {bytes.Length - headerStart} after the preamble");
        string headerText = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(headerStart, headerLength));

        Dictionary<string, object?> header;
        try
        {
            header = PythonLiteral.Parse(headerText.Trim()) as Dictionary<string, object?>
                ?? throw new FormatException("the header is not a dict");
        }
        catch (FormatException e)
        {
            throw Fail($"unreadable .npy header ({e.Message}): {headerText.Trim()}");
        }
        if (!header.TryGetValue("descr", out object? descrObj) || descrObj is not string descr)
        {
            throw Fail(descrObj is List<object?>
                ? "structured (record) arrays are not supported; save a plain numeric array"
                : "the header has no 'descr' string");
        }
        if (!header.TryGetValue("fortran_order", out object? fortranObj) || fortranObj is not bool fortran)
            throw Fail("the header has no 'fortran_order' True/False");
        if (!header.TryGetValue("shape", out object? shapeObj) || shapeObj is not List<object?> shapeList)
            throw Fail("the header has no 'shape' tuple");
        var shape = new long[shapeList.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (shapeList[i] is not long d || d < 0) throw Fail($"shape entry {i} is not a non-negative integer");
            shape[i] = d;
        }

        if (descr.Length < 2) throw Fail($"dtype '{descr}' is not understood");
        char order = descr[0];
        bool bigEndian;
        string code;
        if (order is '<' or '>' or '|' or '=')
        {
            bigEndian = order == '>';
            code = descr[1..];
        }
        else
        {
            bigEndian = false;
            code = descr;
        }
        char kind = code[0];
        if (kind == 'O') throw Fail("the array holds Python objects (dtype object); save a numeric array (np.asarray(x, dtype=np.float32))");
        if (kind is 'U' or 'S' or 'a') throw Fail($"the array holds strings (dtype '{descr}'); only numeric arrays can be read");
        if (kind == 'c') throw Fail($"the array is complex (dtype '{descr}'); only real numbers can be read");
        if (!int.TryParse(code.AsSpan(1), out int itemSize) || itemSize < 1)
            throw Fail($"dtype '{descr}' is not understood (readable: {NumericBytes.Supported})");

        BigInteger count = 1;
        foreach (long d in shape) count *= d;
        BigInteger needed = count * itemSize;
        int dataStart = headerStart + headerLength;
        if (needed > bytes.Length - dataStart)
            throw Fail($"truncated: shape [{string.Join(", ", shape)}] of {descr} needs {needed} data bytes, the file has {bytes.Length - dataStart}");
        if (count > Array.MaxLength) throw Fail($"{count} values are too many to read");
        if (!NumericBytes.TryToDoubles(kind, itemSize, bigEndian, bytes.Slice(dataStart, (int)needed), out var values))
            throw Fail($"dtype '{descr}' is not supported (readable: {NumericBytes.Supported})");
        if (fortran) values = NumericBytes.FortranToRowMajor(values, shape);
        return new NumericArray(name, shape, values);
    }
}
