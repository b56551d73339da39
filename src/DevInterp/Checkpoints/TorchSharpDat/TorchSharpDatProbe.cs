using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace DevInterp.Checkpoints.TorchSharpDat;

/// <summary>
/// Recognises TorchSharp .dat files from their first bytes. The format has no magic number, so recognition is a
/// structural plausibility check: the numbers must decode, names must be printable UTF-8, element-type codes must be
/// known and the first name must fit in the file.
/// </summary>
internal static class TorchSharpDatProbe
{
    /// <summary>The names TorchSharp's optimizers write first when saving their state (<c>optimizer.save</c>).</summary>
    public static readonly IReadOnlyList<string> OptimizerNames =
        ["SGD", "ASGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "Adadelta", "Adagrad", "RMSProp", "Rprop", "LBFGS"];

    /// <summary>
    /// True when the head is plausibly the start of a state dict: an entry count, then a first entry whose name is
    /// printable UTF-8 and, as far as the head reaches, whose tensor header is valid. Whether the data fits is left to
    /// the reader, so that a truncated state dict is reported as truncated rather than as "not a checkpoint".
    /// </summary>
    public static bool LooksLikeStateDict(ReadOnlySpan<byte> head, long length)
    {
        int p = 0;
        if (Leb128.TryRead(head, ref p, out long count) != Leb128.Status.Ok) return false;
        if (count == 0) return length == p; // an empty state dict is the single byte 0x00
        if (count > length) return false; // every entry takes at least one byte

        if (Leb128.TryRead(head, ref p, out long nameLength) != Leb128.Status.Ok) return false;
        if (nameLength < 1 || nameLength > length - p) return false;
        bool nameComplete = nameLength <= head.Length - p;
        var nameBytes = head.Slice(p, (int)Math.Min(nameLength, head.Length - p));
        if (!IsPrintableUtf8(nameBytes, nameComplete)) return false;
        if (!nameComplete) return true; // 500 printable bytes of name: nothing else uses that layout
        p += (int)nameLength;

        return ReadTensorHeader(head, ref p, out _) != false;
    }

    /// <summary>True when the head starts with the name of a TorchSharp optimizer, as optimizer-state files do.</summary>
    public static bool IsOptimizerState(ReadOnlySpan<byte> head, out string optimizer)
    {
        optimizer = "";
        int p = 0;
        if (Leb128.TryRead(head, ref p, out long n) != Leb128.Status.Ok || n < 1 || n > 16 || n > head.Length - p) return false;
        string name = Encoding.ASCII.GetString(head.Slice(p, (int)n));
        foreach (string known in OptimizerNames)
        {
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
            {
                optimizer = known;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// True when the head is a single tensor as <c>Tensor.save</c> / exportsd's <c>write_tensor</c> writes it: a
    /// tensor header followed by exactly the tensor's bytes up to the end of the file.
    /// </summary>
    public static bool LooksLikeSingleTensor(ReadOnlySpan<byte> head, long length)
    {
        int p = 0;
        return ReadTensorHeader(head, ref p, out long dataBytes) == true && dataBytes == length - p;
    }

    /// <summary>
    /// Checks a tensor header at <paramref name="p"/>: true when complete and valid (with its data size), false when
    /// invalid (unknown element type, too many dimensions, overflow), null when the bytes end before the header does.
    /// </summary>
    private static bool? ReadTensorHeader(ReadOnlySpan<byte> head, ref int p, out long dataBytes)
    {
        dataBytes = 0;
        var status = Leb128.TryRead(head, ref p, out long code);
        if (status == Leb128.Status.Truncated) return null;
        if (status != Leb128.Status.Ok || !TorchSharpElementTypes.TryGetDType(code, out var dtype)) return false;
        status = Leb128.TryRead(head, ref p, out long ndim);
        if (status == Leb128.Status.Truncated) return null;
        if (status != Leb128.Status.Ok || ndim > DatCursor.MaxDimensions) return false;
        long elements = 1;
        for (int i = 0; i < ndim; i++)
        {
            status = Leb128.TryRead(head, ref p, out long dim);
            if (status == Leb128.Status.Truncated) return null;
            if (status != Leb128.Status.Ok) return false;
            try { elements = checked(elements * dim); }
            catch (OverflowException) { return false; }
        }
        try { dataBytes = checked(elements * dtype.ByteSize()); }
        catch (OverflowException) { return false; }
        return true;
    }

    /// <summary>Valid UTF-8 without control characters; an incomplete final character is allowed when the name is cut by the head.</summary>
    private static bool IsPrintableUtf8(ReadOnlySpan<byte> bytes, bool complete)
    {
        char[] rented = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            var status = Utf8.ToUtf16(bytes, rented, out _, out int written, replaceInvalidSequences: false, isFinalBlock: complete);
            if (status != OperationStatus.Done && !(status == OperationStatus.NeedMoreData && !complete)) return false;
            foreach (char c in rented.AsSpan(0, written))
            {
                if (char.IsControl(c)) return false;
            }
            return true;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
