using DevInterp.Checkpoints;
using System.IO.Compression;

namespace DevInterp.Tasks.Files;

/// <summary>
/// Reads numpy's .npz archives (<c>np.savez</c>, stored, or <c>np.savez_compressed</c>, deflated): a zip whose members
/// <c>name.npy</c> are .npy arrays; each becomes the field <c>name</c>, read when asked for.
/// </summary>
internal static class NpzFile
{
    /// <summary>Largest member inflated (deflate cannot expand by more than about 1032:1 either).</summary>
    private const long MaxMemberBytes = int.MaxValue;

    public static DataContents Open(string path)
    {
        var stream = DataFiles.OpenRead(path);
        ZipArchive? zip = null;
        List<ZipArchiveEntry> entries;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            entries = [.. zip.Entries]; // reads the central directory
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            if (zip is null) stream.Dispose();
            else zip.Dispose();
            throw new DataFileException(path, $"not a readable .npz archive (a zip of .npy files): {e.Message}", e);
        }
        var members = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.FullName.EndsWith('/')) continue;
            string name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
            if (members.TryAdd(name, entry)) names.Add(name);
        }
        if (names.Count == 0)
        {
            zip.Dispose();
            throw new DataFileException(path, "the .npz archive holds no arrays");
        }
        NumericArray Read(string name)
        {
            var entry = members[name];
            string label = $"member '{entry.FullName}'";
            if (entry.Length > MaxMemberBytes) throw new DataFileException(path, $"{label} of {entry.Length} bytes is too large to read");
            try
            {
                // The checkpoint readers' bound on inflation: a member may not inflate far beyond its compressed bytes.
                if (entry.CompressedLength != entry.Length) CheckpointLimits.CheckInflation(path, entry.FullName, entry.Length, entry.CompressedLength);
            }
            catch (CheckpointFormatException e)
            {
                throw new DataFileException(path, e.Reason, e);
            }
            var buffer = new byte[entry.Length];
            try
            {
                using var s = entry.Open();
                s.ReadExactly(buffer);
                if (s.ReadByte() >= 0) throw new DataFileException(path, $"{label} holds more bytes than its declared {entry.Length}");
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                throw new DataFileException(path, $"{label} is corrupt: {e.Message}", e);
            }
            return NpyFile.Parse(buffer, path, name, label);
        }
        return new DataContents(path, names, Read, isTable: false, owner: zip);
    }
}
