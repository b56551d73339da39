namespace DevInterp.Checkpoints.PyTorch;

/// <summary>The last bytes of a file, read once; ranges inside them are served without another read.</summary>
/// <param name="Bytes">The bytes read.</param>
/// <param name="Start">Their offset in the file.</param>
internal readonly record struct ZipTail(byte[] Bytes, long Start)
{
    /// <summary>Reads the last <paramref name="count"/> bytes (or the whole file, when shorter).</summary>
    public static ZipTail Read(MappedFile file, int count)
    {
        long start = Math.Max(0, file.Length - count);
        return new ZipTail(file.ReadArray(start, file.Length - start), start);
    }

    /// <summary>[offset, offset + count) of the file: a slice of the tail when it lies inside, else a new read.</summary>
    public ReadOnlySpan<byte> Get(MappedFile file, long offset, long count) =>
        Contains(offset, count) ? Bytes.AsSpan((int)(offset - Start), (int)count) : file.ReadArray(offset, count);

    /// <summary>[offset, offset + buffer.Length): a slice of the tail when it lies inside, else read into the buffer.</summary>
    public ReadOnlySpan<byte> Get(MappedFile file, long offset, Span<byte> buffer)
    {
        if (Contains(offset, buffer.Length)) return Bytes.AsSpan((int)(offset - Start), buffer.Length);
        file.CopyTo(offset, buffer);
        return buffer;
    }

    private bool Contains(long offset, long count) => offset >= Start && count <= Bytes.Length && offset - Start <= Bytes.Length - count;
}
