using System.Buffers.Binary;
using System.Numerics;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Reads the legacy stream of <c>torch.save(..., _use_new_zipfile_serialization=False)</c> (PyTorch before 1.6): five
/// pickles (magic number, protocol version, sys_info, the object with storage persistent ids, the list of storage keys),
/// then for each key an int64 element count and the raw storage bytes.
/// </summary>
internal static class LegacyPyTorchReader
{
    /// <summary>torch.serialization.MAGIC_NUMBER.</summary>
    public static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356");

    /// <summary>torch.serialization.PROTOCOL_VERSION.</summary>
    public const long ProtocolVersion = 1001;

    public static ICheckpointReader Open(MappedFile file, CheckpointOpenOptions options)
    {
        var pickle = Load(file);
        var located = StateDictLocator.Locate(pickle.Root, options.Key, file.Path);
        return PyTorchCheckpoint.Create(file, CheckpointFormat.PyTorchLegacy, located, pickle.Bind, pickle.BigEndian);
    }

    /// <summary>Unpickles the main object (restricted unpickler) and locates the storages that follow the pickles.</summary>
    public static LoadedPickle Load(MappedFile file)
    {
        string path = file.Path;
        var data = file.Span(0, Math.Min(file.Length, int.MaxValue));
        int position = 0;

        object magic = Next(data, ref position, new UnpickleContext(path, "legacy magic number"));
        if (!(magic is BigInteger m && m == MagicNumber))
            throw new CheckpointFormatException(path, $"a pickle, but not a torch.save file: it starts with {StateDictLocator.Describe(magic)} instead of the legacy magic number");
        object protocol = Next(data, ref position, new UnpickleContext(path, "legacy protocol version"));
        if (!PyTypes.TryGetInt64(protocol, out long version) || version != ProtocolVersion)
            throw new CheckpointFormatException(path, $"legacy protocol version {protocol} is not supported (expected {ProtocolVersion})");
        object sysInfo = Next(data, ref position, new UnpickleContext(path, "legacy sys_info"));
        bool bigEndian = sysInfo is PyDict info && info.TryGetValue("little_endian", out object little) && little is false;

        var ids = new TorchPersistentIds(file.Length, legacy: true);
        var ctx = new UnpickleContext(path, "legacy main pickle");
        ctx = ctx with { PersistentLoad = pid => ids.Load(pid, ctx) };
        object root = Next(data, ref position, ctx);
        object keyList = Next(data, ref position, new UnpickleContext(path, "legacy storage key list"));
        if (keyList is not PyList keys)
            throw new CheckpointFormatException(path, $"legacy storage key list is a {PyTypes.Name(keyList)}, not a list");

        // The storages follow the key list in its order, each as an int64 element count and the raw elements. They are
        // indexed on first use, after the caller has located what it needs (so its errors come first).
        int storagesStart = position;
        Dictionary<string, StorageBytes>? index = null;
        Dictionary<string, StorageBytes> Storages()
        {
            if (index is not null) return index;
            var storages = new Dictionary<string, StorageBytes>(StringComparer.Ordinal);
            long offset = storagesStart;
            foreach (object keyObj in keys.Items)
            {
                string key = StateDictLocator.KeyText(keyObj) ?? throw new CheckpointFormatException(path, $"legacy storage key is a {PyTypes.Name(keyObj)}");
                if (!ids.Storages.TryGetValue(key, out var storage))
                    throw new CheckpointFormatException(path, $"legacy storage '{key}' is listed but no tensor uses it, so its element size is unknown");
                if (file.Length - offset < 8)
                    throw new CheckpointFormatException(path, $"truncated: legacy storage '{key}' header at byte {offset} is past the end of the file");
                long count = BinaryPrimitives.ReadInt64LittleEndian(file.Span(offset, 8));
                if (count != storage.ElementCount)
                    throw new CheckpointFormatException(path, $"legacy storage '{key}' holds {count} elements but the pickle says {storage.ElementCount} (corrupt)");
                long bytes = storage.ByteLength;
                if (bytes > file.Length - offset - 8)
                    throw new CheckpointFormatException(path, $"truncated: legacy storage '{key}' needs {bytes} bytes at byte {offset + 8}, the file ends at {file.Length}");
                if (!storages.TryAdd(key, new MappedStorageBytes(file, offset + 8, bytes)))
                    throw new CheckpointFormatException(path, $"legacy storage '{key}' is listed twice");
                offset += 8 + bytes;
            }
            index = storages;
            return index;
        }

        StorageBytes Bind(TorchStorageRef storage) =>
            Storages().TryGetValue(storage.Key, out var bytes)
                ? bytes
                : throw new CheckpointFormatException(path, $"legacy storage '{storage.Key}' is used by a tensor but missing from the storage list");
        return new LoadedPickle(root, Bind, bigEndian);
    }

    private static object Next(ReadOnlySpan<byte> data, ref int position, UnpickleContext ctx)
    {
        if (position >= data.Length) throw ctx.Fail($"truncated: the file ends at byte {position} before this pickle");
        object value = Unpickler.Load(data[position..], ctx, out int consumed);
        position += consumed;
        return value;
    }
}
