using System.Buffers.Binary;

namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Reads the tar layout of <c>torch.save</c> before PyTorch 0.1.10, as <c>torch.serialization.legacy_load</c> does:
/// <c>storages</c> (a count, then per storage a <c>(key, location, storage_type)</c> pickle, an int64 element count and
/// the raw bytes, then a list of storage views), <c>tensors</c> (a count, then per tensor a <c>(key, storage_key,
/// tensor_type)</c> pickle, ndim, sizes, strides and offset) and <c>pickle</c>, whose persistent ids are those keys.
/// The variant that inlines <c>('storage', type, key, location, numel)</c> tuples in tensor rebuild calls (as the burn
/// test files do) is read too.
/// </summary>
internal static class TarPyTorchReader
{
    public static ICheckpointReader Open(MappedFile file, CheckpointOpenOptions options)
    {
        string path = file.Path;
        var entries = new Dictionary<string, TarEntry>(StringComparer.Ordinal);
        foreach (var e in TarArchive.Read(file)) entries[e.Name.StartsWith("./", StringComparison.Ordinal) ? e.Name[2..] : e.Name] = e;
        if (!entries.TryGetValue("pickle", out var pickleEntry) || !entries.TryGetValue("storages", out var storagesEntry))
        {
            throw new CheckpointFormatException(path,
                $"tar archive without 'pickle' and 'storages' entries, so not a pre-0.1.10 torch.save file (it holds: {string.Join(", ", entries.Keys.Take(8))})");
        }

        bool bigEndian = false;
        if (entries.TryGetValue("sys_info", out var sysEntry))
        {
            object sys = Unpickler.Load(Bytes(file, sysEntry), new UnpickleContext(path, "tar sys_info"), out _);
            bigEndian = sys is PyDict d && d.TryGetValue("little_endian", out object little) && little is false;
        }

        var objects = new Dictionary<string, object>(StringComparer.Ordinal);
        var storageBytes = new Dictionary<string, StorageBytes>(StringComparer.Ordinal);
        ReadStorages(file, storagesEntry, objects, storageBytes);
        if (entries.TryGetValue("tensors", out var tensorsEntry)) ReadTensors(file, tensorsEntry, objects);

        var ctx = new UnpickleContext(path, "tar pickle", StorageTuplesAreIds: true);
        ctx = ctx with { PersistentLoad = pid => Resolve(pid, objects, ctx) };
        object root = Unpickler.Load(Bytes(file, pickleEntry), ctx, out _);
        var located = StateDictLocator.Locate(root, options.Key, path);
        StorageBytes Bind(TorchStorageRef storage) =>
            storageBytes.TryGetValue(storage.Key, out var bytes) ? bytes : throw new CheckpointFormatException(path, $"tar storage '{storage.Key}' is missing");
        return PyTorchCheckpoint.Create(file, CheckpointFormat.PyTorchTar, located, Bind, bigEndian);
    }

    private static ReadOnlySpan<byte> Bytes(MappedFile file, TarEntry entry)
    {
        if (entry.Size > int.MaxValue) throw new CheckpointFormatException(file.Path, $"tar entry '{entry.Name}' is over 2 GiB");
        return file.Span(entry.DataOffset, entry.Size);
    }

    private static void ReadStorages(MappedFile file, TarEntry entry, Dictionary<string, object> objects, Dictionary<string, StorageBytes> bytes)
    {
        string path = file.Path;
        var data = Bytes(file, entry);
        var ctx = new UnpickleContext(path, "tar storages");
        int position = 0;
        long count = Count(Next(data, ref position, ctx), data.Length, ctx);
        var ids = new TorchPersistentIds(file.Length, legacy: false);
        for (long i = 0; i < count; i++)
        {
            if (Next(data, ref position, ctx) is not PyTuple { Count: 3 } header)
                throw ctx.Fail($"storage {i} header must be (key, location, storage_type)");
            if (data.Length - position < 8) throw ctx.Fail($"truncated: storage {i} has no element count");
            long numel = BinaryPrimitives.ReadInt64LittleEndian(data[position..]);
            var storage = ids.Storage(header.Items[2], header.Items[0], header.Items[1], numel, PyNone.Instance, ctx);
            long size = storage.ByteLength;
            if (size > data.Length - position - 8) throw ctx.Fail($"truncated: storage '{storage.Key}' needs {size} bytes, {data.Length - position - 8} remain");
            if (!objects.TryAdd(storage.Key, storage)) throw ctx.Fail($"storage '{storage.Key}' appears twice");
            bytes[storage.Key] = new MappedStorageBytes(file, entry.DataOffset + position + 8, size);
            position += 8 + (int)size;
        }
        if (position >= data.Length) return; // the synthesised layout has no view list

        // Views: (view_key, root_key, element offset, element count) into a root storage.
        if (Next(data, ref position, ctx) is not PyList views) throw ctx.Fail("the storage view list is not a list");
        foreach (object item in views.Items)
        {
            if (item is not PyTuple { Count: 4 } v || StateDictLocator.KeyText(v.Items[0]) is not { } viewKey ||
                StateDictLocator.KeyText(v.Items[1]) is not { } rootKey || !PyTypes.TryGetInt64(v.Items[2], out long offset) ||
                !PyTypes.TryGetInt64(v.Items[3], out long numel))
                throw ctx.Fail("storage views must be (view_key, root_key, offset, numel) tuples");
            if (!objects.TryGetValue(rootKey, out object? rootObj) || rootObj is not TorchStorageRef root)
                throw ctx.Fail($"storage view '{viewKey}' names unknown storage '{rootKey}'");
            if (offset < 0 || numel < 0 || offset > root.ElementCount || numel > root.ElementCount - offset)
                throw ctx.Fail($"storage view '{viewKey}' [{offset}, +{numel}) lies outside storage '{rootKey}' of {root.ElementCount} elements");
            objects[viewKey] = root with { ElementOffset = offset, ElementCount = numel };
        }
    }

    private static void ReadTensors(MappedFile file, TarEntry entry, Dictionary<string, object> objects)
    {
        var data = Bytes(file, entry);
        var ctx = new UnpickleContext(file.Path, "tar tensors");
        int position = 0;
        long count = Count(Next(data, ref position, ctx), data.Length, ctx);
        for (long i = 0; i < count; i++)
        {
            if (Next(data, ref position, ctx) is not PyTuple { Count: 3 } header ||
                StateDictLocator.KeyText(header.Items[0]) is not { } key || StateDictLocator.KeyText(header.Items[1]) is not { } storageKey)
                throw ctx.Fail($"tensor {i} header must be (key, storage_key, tensor_type)");
            if (!objects.TryGetValue(storageKey, out object? s) || s is not TorchStorageRef storage)
                throw ctx.Fail($"tensor '{key}' names unknown storage '{storageKey}'");
            if (data.Length - position < 8) throw ctx.Fail($"truncated: tensor '{key}' has no dimensions");
            int ndim = BinaryPrimitives.ReadInt32LittleEndian(data[position..]);
            position += 8; // ndim was once written as 8 bytes: 4 more are skipped, as torch does
            if (ndim < 0 || ndim > TorchTensorRef.MaxDimensions) throw ctx.Fail($"tensor '{key}' has {ndim} dimensions");
            if (data.Length - position < 16L * ndim + 8) throw ctx.Fail($"truncated: tensor '{key}' geometry");
            var shape = new long[ndim];
            var stride = new long[ndim];
            for (int d = 0; d < ndim; d++) shape[d] = BinaryPrimitives.ReadInt64LittleEndian(data[(position + 8 * d)..]);
            position += 8 * ndim;
            for (int d = 0; d < ndim; d++) stride[d] = BinaryPrimitives.ReadInt64LittleEndian(data[(position + 8 * d)..]);
            position += 8 * ndim;
            long offset = BinaryPrimitives.ReadInt64LittleEndian(data[position..]);
            position += 8;
            var tensor = TorchTensorRef.Create(storage, storage.DType, offset, shape, stride, out string? error);
            if (error is not null) throw ctx.Fail($"invalid tensor '{key}': {error}");
            objects[key] = tensor;
        }
    }

    private static object Resolve(object pid, Dictionary<string, object> objects, UnpickleContext ctx)
    {
        if (pid is PyTuple t)
        {
            // Inline ('storage', type, key, location, numel) of the synthesised layout.
            if (t.Count == 5 && t.Items[0] is "storage" && StateDictLocator.KeyText(t.Items[2]) is { } key &&
                objects.TryGetValue(key, out object? s) && s is TorchStorageRef storage)
            {
                if (t.Items[1] is PyGlobal { Kind: AllowedGlobal.StorageClass, DType: { } dtype } && dtype != storage.DType)
                    throw ctx.Fail($"storage '{key}' is {storage.DType.TorchName()} but the pickle names {dtype.TorchName()}");
                return storage;
            }
            throw ctx.Fail("the file pickles a whole nn.Module or an unknown persistent object; save model.state_dict() with torch.save instead");
        }
        string id = StateDictLocator.KeyText(pid) ?? throw ctx.Fail($"persistent id must be a key, not {PyTypes.Name(pid)}");
        return objects.TryGetValue(id, out object? value) ? value : throw ctx.Fail($"persistent id '{id}' names no stored tensor or storage");
    }

    private static long Count(object value, int available, UnpickleContext ctx) =>
        PyTypes.TryGetInt64(value, out long n) && n >= 0 && n <= available
            ? n : throw ctx.Fail($"count must be a non-negative integer no larger than the entry, not {PyTypes.Name(value)}");

    private static object Next(ReadOnlySpan<byte> data, ref int position, UnpickleContext ctx)
    {
        if (position >= data.Length) throw ctx.Fail($"truncated: the entry ends at byte {position} before the next pickle");
        object value = Unpickler.Load(data[position..], ctx, out int consumed);
        position += consumed;
        return value;
    }
}
