using System.IO.MemoryMappedFiles;

namespace DevInterp.Checkpoints;

/// <summary>A read-only memory map of a whole file; spans over it are valid until disposal.</summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    public MappedFile(string path)
    {
        Path = path;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        Length = stream.Length;
        if (Length == 0) return; // an empty file cannot be mapped; readers report it as truncated
        _map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
        _pointer += _view.PointerOffset;
    }

    public string Path { get; }

    public long Length { get; }

    /// <summary>The bytes in [offset, offset + count); the range must lie inside the file.</summary>
    public ReadOnlySpan<byte> Span(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset > Length || count > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"range [{offset}, {offset}+{count}) lies outside {Length} bytes");
        if (count == 0) return ReadOnlySpan<byte>.Empty;
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        if (count > int.MaxValue) throw new NotSupportedException("a single span over 2 GiB; copy it in chunks");
        return new ReadOnlySpan<byte>(_pointer + offset, (int)count);
    }

    /// <summary>Copies [offset, offset + destination.Length) into the destination, in chunks for very large ranges.</summary>
    public void CopyTo(long offset, Span<byte> destination)
    {
        Span(offset, destination.Length).CopyTo(destination);
    }

    public void Dispose()
    {
        if (_view is not null && _pointer != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }
}
