using System.Runtime.InteropServices;

namespace DevInterp.Native;

/// <summary>What kind of file system object a path names (after following symbolic links).</summary>
public enum FileKind
{
    /// <summary>No such path.</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A named pipe (FIFO): reading it blocks until a writer appears.</summary>
    Fifo,
    /// <summary>A character device such as <c>/dev/zero</c> (endless) or a terminal.</summary>
    CharacterDevice,
    /// <summary>A block device (a disk).</summary>
    BlockDevice,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>The kind could not be determined (no <c>statx</c> on this platform): treated as a regular file.</summary>
    Unknown,
}

/// <summary>
/// The kind of a path, from <c>statx(2)</c> on Linux. .NET reports a FIFO or a device as an ordinary file, and opening a
/// FIFO for reading blocks until some other process opens it for writing, so every reader checks the kind before it
/// opens anything (<see cref="Describe"/> gives the words for a refusal).
/// </summary>
public static class FileKinds
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: stx_mask u32, stx_blksize u32, stx_attributes u64, stx_nlink u32, stx_uid u32, stx_gid u32, stx_mode u16
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>The kind of <paramref name="path"/>, following symbolic links.</summary>
    public static FileKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!_unavailable)
        {
            try
            {
                return OfLinux(path);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _unavailable = true; // an old C library without statx: fall back to what .NET can tell
            }
        }
        if (Directory.Exists(path)) return FileKind.Directory;
        return File.Exists(path) ? FileKind.Unknown : FileKind.Missing;
    }

    /// <summary>
    /// Null when <paramref name="path"/> may be opened and read as a file (a regular file, or a kind this platform
    /// cannot tell); otherwise why not ("a named pipe (FIFO), not a regular file"), for a one-line refusal.
    /// </summary>
    public static string? WhyNotAFile(string path) => Of(path) switch
    {
        FileKind.Regular or FileKind.Unknown => null,
        FileKind.Missing => "no such file",
        FileKind.Directory => "is a folder, not a file",
        var kind => $"{Describe(kind)}, not a regular file (only regular files are read: a pipe or device can block or never end)",
    };

    /// <summary>The words for a kind that is not a regular file ("a named pipe (FIFO)"), for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "no such file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        _ => "a regular file",
    };

    private static unsafe FileKind OfLinux(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // ENOENT, ENOTDIR: missing. Anything else (EACCES on a parent folder, ELOOP): let the open report it.
            return errno is 2 or 20 ? FileKind.Missing : FileKind.Unknown;
        }
        int mode = *(ushort*)(buffer + ModeOffset) & 0xF000;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi)]
    private static extern unsafe int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
}
