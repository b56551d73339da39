using System.Text;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Reads the zip layout of <c>torch.save</c> (PyTorch 1.6+): one top-level folder (<c>archive/</c>, or the file's stem
/// in newer versions) holding <c>data.pkl</c>, optional <c>byteorder</c>, <c>version</c>, <c>.data/serialization_id</c>,
/// and one entry per storage under <c>data/</c>. Stored storages are read with positioned reads straight into the
/// destination; deflated ones are inflated on demand. TorchScript archives (<c>torch.jit.save</c>) are refused.
/// </summary>
internal static class ZipPyTorchReader
{
    private const string PickleSuffix = "/data.pkl";

    public static ICheckpointReader Open(MappedFile file, CheckpointOpenOptions options)
    {
        var pickle = Load(file);
        var located = StateDictLocator.Locate(pickle.Root, options.Key, file.Path);
        return PyTorchCheckpoint.Create(file, CheckpointFormat.PyTorchZip, located, pickle.Bind, pickle.BigEndian);
    }

    /// <summary>Unpickles data.pkl (restricted unpickler) and prepares the binding of storages to archive entries.</summary>
    public static LoadedPickle Load(MappedFile file)
    {
        string path = file.Path;
        var listing = ZipDirectory.Read(file);
        var entries = listing.Entries;
        var byName = listing.ByName;

        // "<folder>/data.pkl" directly under one top-level folder; normally exactly one.
        var pickles = new List<ZipEntry>(1);
        foreach (var e in entries)
        {
            if (e.Name.EndsWith(PickleSuffix, StringComparison.Ordinal) && e.Name.IndexOf('/') == e.Name.Length - PickleSuffix.Length) pickles.Add(e);
        }
        var prefixes = new string[pickles.Count];
        for (int i = 0; i < prefixes.Length; i++) prefixes[i] = pickles[i].Name[..^PickleSuffix.Length];
        foreach (string p in prefixes)
        {
            if (byName.ContainsKey(p + "/constants.pkl") || HasCodeFolder(entries, p))
            {
                throw new CheckpointFormatException(path,
                    "TorchScript archive (torch.jit.save); save model.state_dict() with torch.save instead");
            }
        }
        if (pickles.Count == 0)
        {
            string names = string.Join(", ", entries.Take(8).Select(e => e.Name));
            throw new CheckpointFormatException(path,
                $"zip archive without <folder>/data.pkl, so not written by torch.save (it holds {entries.Count} entries: {names}{(entries.Count > 8 ? ", ..." : "")})");
        }
        if (pickles.Count > 1)
            throw new CheckpointFormatException(path, $"zip archive holds several torch.save folders ({string.Join(", ", prefixes.Take(6))}); extract the one to read");
        string prefix = prefixes[0];

        bool bigEndian = false;
        if (byName.TryGetValue(prefix + "/byteorder", out var orderEntry))
        {
            if (orderEntry.UncompressedSize > 16) throw new CheckpointFormatException(path, $"{prefix}/byteorder of {orderEntry.UncompressedSize} bytes: expected 'little' or 'big'");
            string order = Encoding.ASCII.GetString(ZipInflater.Read(file, orderEntry, checkCrc: true)).Trim();
            bigEndian = order switch
            {
                "little" => false,
                "big" => true,
                _ => throw new CheckpointFormatException(path, $"{prefix}/byteorder says '{order}': expected 'little' or 'big'"),
            };
        }

        var ids = new TorchPersistentIds(file.Length, legacy: false, zip: true);
        var ctx = new UnpickleContext(path, $"{prefix}/data.pkl", null);
        ctx = ctx with { PersistentLoad = pid => ids.Load(pid, ctx) };
        object root = Unpickler.Load(ZipInflater.Read(file, pickles[0], checkCrc: true), ctx, out _);

        var storages = new Dictionary<string, StorageBytes>(StringComparer.Ordinal);
        var budget = new InflationBudget(path, file.Length);
        string dataFolder = prefix + "/data/";
        StorageBytes Bind(TorchStorageRef storage)
        {
            if (storages.TryGetValue(storage.Key, out var bytes)) return bytes;
            string name = dataFolder + storage.Key;
            if (!byName.TryGetValue(name, out var entry))
                throw new CheckpointFormatException(path, $"storage '{storage.Key}' is missing from the archive (no entry {name})");
            bytes = entry.Method == 0
                ? new MappedStorageBytes(file, entry.DataOffset, entry.UncompressedSize)
                : new DeflatedStorageBytes(file, entry, budget);
            storages[storage.Key] = bytes;
            return bytes;
        }
        return new LoadedPickle(root, Bind, bigEndian);
    }

    // Any entry under "<prefix>/code/" (TorchScript source), checked without building a string per entry.
    private static bool HasCodeFolder(IReadOnlyList<ZipEntry> entries, string prefix)
    {
        foreach (var e in entries)
        {
            string name = e.Name;
            if (name.Length >= prefix.Length + 6 && name.StartsWith(prefix, StringComparison.Ordinal) &&
                name.AsSpan(prefix.Length).StartsWith("/code/", StringComparison.Ordinal))
                return true;
        }
        return false;
    }
}
