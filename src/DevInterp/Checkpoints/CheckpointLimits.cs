using System.Globalization;

namespace DevInterp.Checkpoints;

/// <summary>
/// The limits every checkpoint reader enforces, so that a small file cannot make reading it slow or memory-hungry
/// (docs/checkpoint-formats.md, "Limits"). Each is far above what real checkpoints hold; a file over one is refused with
/// a one-line message that names the file, the limit and what was found.
/// </summary>
public static class CheckpointLimits
{
    /// <summary>Most tensors one checkpoint may hold (the largest published state dicts hold about 10⁵).</summary>
    public const int MaxTensors = 1_000_000;

    /// <summary>Longest tensor name, in characters (real names are well under 200).</summary>
    public const int MaxNameLength = 4096;

    /// <summary>Deepest nesting of dicts a pickled checkpoint may have (module paths are a dozen levels at most).</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>
    /// Most names a pickled state dict may gain from dicts shared under several paths: a pickle can reference one dict
    /// from two keys at every level of a tree, so 19 levels of a few bytes each would otherwise spell 2¹⁹ names.
    /// </summary>
    public const int MaxSharedNames = 100_000;

    /// <summary>
    /// Largest tensor (in bytes) that may hold more elements than its storage: a broadcast view with stride 0, as
    /// <c>torch.save(x.expand(...))</c> writes. Beyond this a few stored bytes would stand for gigabytes.
    /// </summary>
    public const long MaxBroadcastBytes = 16L << 20;

    /// <summary>
    /// Bytes a deflated zip entry may always inflate to; beyond this the bytes needed may be at most
    /// <see cref="MaxInflationRatio"/> times the entry's compressed size (torch.save stores entries uncompressed, and
    /// deflated float weights shrink by a few percent, so only a decompression bomb or all-zero data exceeds it).
    /// </summary>
    public const long FreeInflationBytes = 64L << 20;

    /// <summary>Inflated bytes per compressed byte a deflated entry may reach past <see cref="FreeInflationBytes"/>.</summary>
    public const long MaxInflationRatio = 4;

    /// <summary>The memory this process may use (the machine's memory, or its container's limit), in bytes.</summary>
    public static long AvailableMemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Refuses a tensor count over <see cref="MaxTensors"/>.</summary>
    internal static void CheckCount(string path, long count)
    {
        if (count > MaxTensors)
            throw new CheckpointFormatException(path, $"{count} tensors, more than the {MaxTensors} a checkpoint may hold (see docs/checkpoint-formats.md, \"Limits\")");
    }

    /// <summary>Refuses a tensor name over <see cref="MaxNameLength"/> characters.</summary>
    internal static void CheckName(string path, string name)
    {
        if (name.Length > MaxNameLength)
            throw new CheckpointFormatException(path, $"a tensor name of {name.Length} characters ('{name[..40]}...'), more than the {MaxNameLength} allowed");
    }

    /// <summary>
    /// Refuses inflating <paramref name="needed"/> bytes of a deflated entry of <paramref name="compressed"/> bytes beyond
    /// the allowance.
    /// </summary>
    internal static void CheckInflation(string path, string entry, long needed, long compressed)
    {
        if (needed <= FreeInflationBytes) return;
        if ((needed - FreeInflationBytes) / MaxInflationRatio > compressed)
        {
            throw new CheckpointFormatException(path,
                $"deflated entry '{entry}' would inflate {Bytes(compressed)} to {Bytes(needed)}, more than {MaxInflationRatio}:1 beyond the first " +
                $"{Bytes(FreeInflationBytes)} (a decompression bomb, or all-zero data: store the entry uncompressed, as torch.save does)");
        }
    }

    /// <summary>Refuses materialising a tensor of <paramref name="bytes"/> bytes that could never fit in memory.</summary>
    internal static void CheckMemory(string path, string name, long bytes)
    {
        long available = AvailableMemoryBytes;
        if (bytes > available)
            throw new CheckpointFormatException(path, $"tensor '{name}' needs {Bytes(bytes)} in memory; this machine has {Bytes(available)}");
    }

    /// <summary>A byte count for messages: 1.5 GB, 300 MB, 12 KB, 7 bytes.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1_000_000_000 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 10_000 => (bytes / 1e3).ToString("0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " bytes",
    };
}
