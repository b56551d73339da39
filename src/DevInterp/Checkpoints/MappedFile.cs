using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace DevInterp.Checkpoints;

/// <summary>
/// A read-only memory map of a whole file; spans over it are valid until disposal. Bulk copies (tensor data) bypass the
/// map and read with positioned reads: touching a fresh mapping costs a page fault per 4 KiB, which made large reads
/// 5–10× slower than the kernel's copy from the page cache.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    public MappedFile(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        Length = RandomAccess.GetLength(_handle);
        if (Length == 0) return; // an empty file cannot be mapped; readers report it as truncated
        _map = MemoryMappedFile.CreateFromFile(_handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
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

    /// <summary>Copies [offset, offset + destination.Length) into the destination with positioned reads.</summary>
    public void CopyTo(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length || destination.Length > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"range [{offset}, {offset}+{destination.Length}) lies outside {Length} bytes");
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(_handle, destination, offset);
            if (read <= 0) throw new IOException($"{Path}: the file ended at byte {offset} while reading (was it truncated while open?)");
            destination = destination[read..];
            offset += read;
        }
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
        _handle.Dispose();
    }
}
