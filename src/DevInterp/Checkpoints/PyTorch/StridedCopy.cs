using System.Buffers.Binary;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Copies a strided view of a storage (offset, sizes, strides in elements) into a contiguous row-major buffer. A
/// contiguous view is one block copy; otherwise the copy walks rows of the innermost dimension.
/// </summary>
internal static class StridedCopy
{
    /// <summary>Copies the tensor's elements; <paramref name="baseByte"/> is the byte offset of element 0 in the storage.</summary>
    public static void Copy(StorageBytes source, long baseByte, long[] shape, long[] stride, int elementSize, Span<byte> destination)
    {
        long count = 1;
        foreach (long d in shape) count *= d;
        if (count == 0) return;
        if (destination.Length != count * elementSize)
            throw new ArgumentException($"destination holds {destination.Length} bytes, the tensor needs {count * elementSize}");
        CopyRange(source, baseByte, shape, stride, elementSize, 0, destination);
    }

    /// <summary>
    /// Copies the elements [<paramref name="firstElement"/>, + destination.Length / elementSize) of the tensor, in
    /// row-major order, so a tensor larger than one span is read in pieces.
    /// </summary>
    public static void CopyRange(StorageBytes source, long baseByte, long[] shape, long[] stride, int elementSize, long firstElement, Span<byte> destination)
    {
        if (destination.IsEmpty) return;
        if (IsContiguous(shape, stride))
        {
            source.CopyTo(baseByte + firstElement * elementSize, destination); // one block, without simplifying (and allocating) first
            return;
        }
        var (sizes, strides) = Simplify(shape, stride);
        int nd = sizes.Length;
        long innerSize = sizes[nd - 1], innerStride = strides[nd - 1];
        if (nd == 1 && innerStride == 1)
        {
            source.CopyTo(baseByte + firstElement * elementSize, destination); // contiguous: one block
            return;
        }

        // Where the first element sits: its row (the index over the outer dimensions) and its place in that row.
        var index = new long[nd];
        long row = firstElement / innerSize, column = firstElement % innerSize;
        long offset = 0; // in elements, relative to element 0, of the start of the current row
        for (int d = nd - 2; d >= 0; d--)
        {
            index[d] = row % sizes[d];
            row /= sizes[d];
            offset += index[d] * strides[d];
        }
        long remaining = destination.Length / elementSize;
        int written = 0;
        while (remaining > 0)
        {
            long n = Math.Min(innerSize - column, remaining);
            int bytes = checked((int)(n * elementSize));
            var target = destination.Slice(written, bytes);
            long start = baseByte + (offset + column * innerStride) * elementSize;
            long spanBytes = ((n - 1) * innerStride + 1) * elementSize;
            if (innerStride == 1) source.Span(start, bytes).CopyTo(target);
            else if (spanBytes <= int.MaxValue) Gather(source.Span(start, (int)spanBytes), n, innerStride, elementSize, target);
            else
            {
                for (long j = 0; j < n; j++)
                    source.CopyTo(start + j * innerStride * elementSize, target.Slice((int)(j * elementSize), elementSize));
            }
            written += bytes;
            remaining -= n;
            column = 0;
            for (int d = nd - 2; d >= 0; d--)
            {
                offset += strides[d];
                if (++index[d] < sizes[d]) break;
                offset -= strides[d] * sizes[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>Reverses the bytes of every element (big-endian storage to little-endian values).</summary>
    public static void SwapBytes(Span<byte> data, int elementSize)
    {
        if (elementSize <= 1) return;
        for (int i = 0; i + elementSize <= data.Length; i += elementSize) data.Slice(i, elementSize).Reverse();
    }

    private static void Gather(ReadOnlySpan<byte> row, long count, long stride, int elementSize, Span<byte> target)
    {
        int step = checked((int)(stride * elementSize));
        int n = (int)count;
        switch (elementSize)
        {
            case 1:
                for (int j = 0; j < n; j++) target[j] = row[j * step];
                break;
            case 2:
                for (int j = 0; j < n; j++) BinaryPrimitives.WriteUInt16LittleEndian(target[(2 * j)..], BinaryPrimitives.ReadUInt16LittleEndian(row[(j * step)..]));
                break;
            case 4:
                for (int j = 0; j < n; j++) BinaryPrimitives.WriteUInt32LittleEndian(target[(4 * j)..], BinaryPrimitives.ReadUInt32LittleEndian(row[(j * step)..]));
                break;
            case 8:
                for (int j = 0; j < n; j++) BinaryPrimitives.WriteUInt64LittleEndian(target[(8 * j)..], BinaryPrimitives.ReadUInt64LittleEndian(row[(j * step)..]));
                break;
            default:
                for (int j = 0; j < n; j++) row.Slice(j * step, elementSize).CopyTo(target.Slice(j * elementSize, elementSize));
                break;
        }
    }

    // Row-major contiguous: each dimension of size > 1 steps over exactly the elements of the dimensions inside it.
    private static bool IsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    // Drops size-1 dimensions and merges dimensions that are contiguous with their inner neighbour, so a contiguous
    // tensor becomes one dimension of stride 1 and a transposed matrix keeps exactly two.
    private static (long[] Sizes, long[] Strides) Simplify(long[] shape, long[] stride)
    {
        var sizes = new List<long>();
        var strides = new List<long>();
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            if (sizes.Count > 0 && strides[^1] == stride[i] * shape[i])
            {
                sizes[^1] *= shape[i];
                strides[^1] = stride[i];
            }
            else
            {
                sizes.Add(shape[i]);
                strides.Add(stride[i]);
            }
        }
        if (sizes.Count == 0) return ([1], [1]);
        return ([.. sizes], [.. strides]);
    }
}
