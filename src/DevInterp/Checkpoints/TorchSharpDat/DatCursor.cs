using System.Text;

namespace DevInterp.Checkpoints.TorchSharpDat;

/// <summary>
/// Sequential reads of the pieces of a TorchSharp .dat file (LEB128 numbers, length-prefixed UTF-8 names, tensor
/// headers) from a memory map. Every length read from the file is checked against the bytes left before it is used,
/// so a corrupt file fails with a message instead of a large allocation or an out-of-range read.
/// </summary>
internal sealed class DatCursor(MappedFile file)
{
    /// <summary>Most dimensions a tensor header may claim; libtorch tensors in state dicts have far fewer.</summary>
    public const int MaxDimensions = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public long Position { get; private set; }

    public long Remaining => file.Length - Position;

    private string Path => file.Path;

    /// <summary>An unsigned LEB128 number; <paramref name="what"/> names it in errors.</summary>
    public long ReadNumber(string what)
    {
        int window = (int)Math.Min(Leb128.MaxBytes, Remaining);
        var span = file.Span(Position, window);
        int consumed = 0;
        switch (Leb128.TryRead(span, ref consumed, out long value))
        {
            case Leb128.Status.Ok:
                Position += consumed;
                return value;
            case Leb128.Status.Truncated:
                throw new CheckpointFormatException(Path, $"truncated: {what} at byte {Position} runs past the end of the file ({file.Length} bytes)");
            default:
                throw new CheckpointFormatException(Path, $"{what} at byte {Position} is not a valid LEB128 number (more than 63 bits)");
        }
    }

    /// <summary>A name as .NET's BinaryWriter.Write(string) stores it: a 7-bit-encoded byte count, then UTF-8.</summary>
    public string ReadName(string what)
    {
        long start = Position;
        long length = ReadNumber($"the length of {what}");
        if (length > int.MaxValue)
            throw new CheckpointFormatException(Path, $"{what} at byte {start} claims {length} bytes, more than a .NET string length prefix allows");
        if (length > Remaining)
            throw new CheckpointFormatException(Path, $"truncated: {what} at byte {start} claims {length} bytes but only {Remaining} remain");
        string name;
        try
        {
            name = StrictUtf8.GetString(file.Span(Position, length));
        }
        catch (DecoderFallbackException)
        {
            throw new CheckpointFormatException(Path, $"{what} at byte {start} is not valid UTF-8");
        }
        Position += length;
        return name;
    }

    /// <summary>
    /// A tensor header (element-type code, number of dimensions, dimensions) for tensor <paramref name="name"/>;
    /// returns its description and leaves the cursor at its first data byte, which must all lie inside the file.
    /// </summary>
    public TensorInfo ReadTensorHeader(string name)
    {
        long start = Position;
        long code = ReadNumber($"the element type of tensor '{name}'");
        if (!TorchSharpElementTypes.TryGetDType(code, out var dtype))
            throw new CheckpointFormatException(Path, $"tensor '{name}': unknown element type code {code} at byte {start} (known: 0 u8, 1 i8, 2 i16, 3 i32, 4 i64, 5 f16, 6 f32, 7 f64, 9 c64, 10 c128, 11 bool, 15 bf16)");
        long ndim = ReadNumber($"the dimension count of tensor '{name}'");
        if (ndim > MaxDimensions)
            throw new CheckpointFormatException(Path, $"tensor '{name}': {ndim} dimensions is implausible (more than {MaxDimensions}); the file is corrupt");
        var shape = new long[ndim];
        for (int i = 0; i < ndim; i++) shape[i] = ReadNumber($"dimension {i} of tensor '{name}'");
        var info = new TensorInfo(name, dtype, shape);
        long bytes;
        try
        {
            bytes = info.ByteCount;
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(Path, $"tensor '{name}': shape {info.ShapeText} overflows a 64-bit byte count; the file is corrupt");
        }
        if (bytes > Remaining)
            throw new CheckpointFormatException(Path, $"truncated: tensor '{name}' ({dtype.TorchName()} {info.ShapeText}) needs {bytes} data bytes at byte {Position} but only {Remaining} remain");
        return info;
    }

    /// <summary>Moves past <paramref name="count"/> bytes already checked to lie inside the file.</summary>
    public void Skip(long count) => Position += count;
}
