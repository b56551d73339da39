using System.Runtime.InteropServices;

namespace DevInterp.Native;

/// <summary>
/// Keeps the native heap from handing large freed blocks back to the kernel between sampler steps. glibc serves
/// allocations above its mmap threshold (128 KiB, raised dynamically up to 32 MiB) with fresh mmap'd pages and trims
/// the heap top above its trim threshold: libtorch's tensors of a few MiB, made and freed every step, then cost a page
/// fault per 4 KiB on every step (the kernel zeroes each page). On the grokking-sized MLP that was a quarter of the
/// process's CPU time, in the kernel (docs/benchmarks.md). <see cref="Configure"/> sets the mmap threshold to 32 MiB
/// (blocks below it come from the heap and are reused) and the trim threshold to 256 MiB (freed memory stays mapped
/// until that much sits unused at the top), once per process. Larger blocks are still mapped and unmapped as before, so
/// resident memory stays bounded by the largest working set. No effect where the C library is not glibc.
/// </summary>
public static class NativeHeap
{
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    /// <summary>The mmap threshold set (bytes): glibc's largest allowed value on 64-bit systems.</summary>
    public const int MmapThreshold = 32 << 20;

    /// <summary>The trim threshold set (bytes).</summary>
    public const int TrimThreshold = 256 << 20;

    private static int _configured;

    /// <summary>True once <see cref="Configure"/> has set the thresholds (false before, or without glibc).</summary>
    public static bool Configured { get; private set; }

    /// <summary>Sets the thresholds (idempotent; thread-safe). Set DEVINTERP_MALLOC=default to leave glibc's behaviour alone.</summary>
    public static void Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1) return;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("DEVINTERP_MALLOC") == "default") return;
        try
        {
            Configured = mallopt(MMmapThreshold, MmapThreshold) == 1 & mallopt(MTrimThreshold, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl or another C library without mallopt: its own allocation policy applies.
        }
    }

    [DllImport("libc.so.6", ExactSpelling = true)]
    private static extern int mallopt(int param, int value);
}
