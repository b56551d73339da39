using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace DevInterp.Checkpoints;

/// <summary>
/// An open checkpoint file: its first 4 KiB read at open, positioned reads (<see cref="CopyTo"/>,
/// <see cref="ReadArray"/>) for headers, pickles and tensor data, and a read-only memory map of the whole file that is
/// created only when a reader first asks for a <see cref="Span"/> (a strided tensor view, the TorchSharp, legacy and
/// tar layouts). Spans are valid until disposal. Safetensors files and torch.save zips of contiguous tensors are never
/// mapped: for a 1 MB file, creating and tearing down the map and faulting in the pages that hold the zip headers cost
/// more than all the reads together, and copying tensor bytes out of a fresh mapping cost a page fault per 4 KiB, which
/// made large reads 5–10× slower than the kernel's copy from the page cache.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    /// <summary>Bytes read at open from the start of the file (fewer when the file is shorter).</summary>
    public const int HeadBytes = 4096;

    private readonly SafeFileHandle _handle;
    private readonly byte[] _head;
    private readonly Lock _mapLock = new();
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private nint _pointer; // published with Volatile.Write once the map exists, so Span needs no lock after that
    private bool _disposed;

    /// <summary>Opens the file for reading (it may be deleted or renamed while open, as a run's files are).</summary>
    public MappedFile(string path)
    {
        Path = path;
        FileOpenFaults.ThrowIfInjected(path);
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        try
        {
            Length = RandomAccess.GetLength(_handle);
            // Every reader starts at the beginning (format detection, a safetensors header, a zip's first local header
            // and data.pkl), so one read here saves the small reads that would follow.
            _head = new byte[Math.Min(Length, HeadBytes)];
            int n = ReadAtMost(0, _head);
            if (n < _head.Length) Array.Resize(ref _head, n);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>The first <see cref="HeadBytes"/> bytes of the file (all of it when shorter), read at open.</summary>
    public ReadOnlySpan<byte> Head => _head;

    public long Length { get; }

    /// <summary>
    /// Opens <paramref name="path"/>, reporting failure as a <see cref="CheckpointFormatException"/> that names the file.
    /// </summary>
    public static MappedFile Open(string path)
    {
        // Before opening: open(2) on a FIFO blocks until a writer appears, and a device such as /dev/zero never ends.
        if (Native.FileKinds.WhyNotAFile(path) is { } why) throw new CheckpointFormatException(path, why);
        try
        {
            return new MappedFile(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointFormatException(path, "no such file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException(path, $"cannot open: {e.Message}", e);
        }
    }

    /// <summary>The bytes in [offset, offset + count) from the memory map (mapped on first use); the range must lie inside the file.</summary>
    public ReadOnlySpan<byte> Span(long offset, long count)
    {
        CheckRange(offset, count);
        if (count == 0) return ReadOnlySpan<byte>.Empty;
        if (count > int.MaxValue) throw new CheckpointFormatException(Path, $"a single region of {count} bytes (over 2 GiB) cannot be viewed at once");
        return new ReadOnlySpan<byte>(Pointer() + offset, (int)count);
    }

    /// <summary>Copies [offset, offset + destination.Length) into the destination with positioned reads.</summary>
    public void CopyTo(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (offset < _head.Length && destination.Length <= _head.Length - offset)
        {
            _head.AsSpan((int)offset, destination.Length).CopyTo(destination);
            return;
        }
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(_handle, destination, offset);
            if (read <= 0) throw new IOException($"{Path}: the file ended at byte {offset} while reading (was it truncated while open?)");
            destination = destination[read..];
            offset += read;
        }
    }

    /// <summary>A new array holding [offset, offset + count), read with one positioned read.</summary>
    public byte[] ReadArray(long offset, long count)
    {
        CheckRange(offset, count);
        if (count > Array.MaxLength) throw new CheckpointFormatException(Path, $"a single block of {count} bytes (over 2 GiB) cannot be read into memory at once");
        var bytes = new byte[count];
        CopyTo(offset, bytes);
        return bytes;
    }

    /// <summary>Fills <paramref name="destination"/> from [offset, ...), stopping at the end of the file; returns the bytes read.</summary>
    public int ReadAtMost(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset > Length) throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} lies outside {Length} bytes");
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int n = 0;
        while (n < destination.Length)
        {
            int read = RandomAccess.Read(_handle, destination[n..], offset + n);
            if (read <= 0) break;
            n += read;
        }
        return n;
    }

    public void Dispose()
    {
        lock (_mapLock)
        {
            _disposed = true;
            if (_view is not null && _pointer != 0)
            {
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
                Volatile.Write(ref _pointer, 0);
            }
            _view?.Dispose();
            _map?.Dispose();
        }
        _handle.Dispose();
    }

    private void CheckRange(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset > Length || count > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"range [{offset}, {offset}+{count}) lies outside {Length} bytes");
    }

    private byte* Pointer()
    {
        nint mapped = Volatile.Read(ref _pointer);
        if (mapped != 0) return (byte*)mapped;
        lock (_mapLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pointer != 0) return (byte*)_pointer;
            // Length > 0 here: an empty file has no non-empty range to ask for (and cannot be mapped).
            _map = MemoryMappedFile.CreateFromFile(_handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += _view.PointerOffset;
            Volatile.Write(ref _pointer, (nint)pointer);
            return pointer;
        }
    }
}
