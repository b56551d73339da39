namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// Parses the persistent ids torch.save writes for storages: <c>('storage', torch.FloatStorage, key, location, numel)</c>
/// in zip archives, with a sixth element (view metadata) in the legacy format. Each key gets one storage reference, so
/// tensors that share a storage share the reference.
/// </summary>
internal sealed class TorchPersistentIds(long fileLength, bool legacy, bool zip = false)
{
    private readonly Dictionary<string, TorchStorageRef> _storages = new(StringComparer.Ordinal);

    /// <summary>Root storages by key, as referenced so far.</summary>
    public IReadOnlyDictionary<string, TorchStorageRef> Storages => _storages;

    public object Load(object pid, UnpickleContext ctx)
    {
        if (pid is not PyTuple { Count: > 0 } t)
            throw ctx.Fail($"persistent id must be a tuple, not {PyTypes.Name(pid)}");
        object[] a = t.Items;
        string? kind = a[0] as string ?? (a[0] is byte[] b ? System.Text.Encoding.ASCII.GetString(b) : null);
        if (kind == "module")
            throw ctx.Fail("the file pickles a whole nn.Module (torch.save(model)); save model.state_dict() with torch.save instead");
        if (kind != "storage") throw ctx.Fail($"unknown persistent id kind '{kind ?? PyTypes.Name(a[0])}' (expected 'storage')");
        int expected = legacy ? 6 : 5;
        if (a.Length != expected) throw ctx.Fail($"storage persistent id has {a.Length} fields, expected {expected}");
        return Storage(a[1], a[2], a[3], a[4], legacy ? a[5] : PyNone.Instance, ctx);
    }

    /// <summary>A storage reference from its type, key, location and element count (and an optional legacy view).</summary>
    public TorchStorageRef Storage(object type, object keyObj, object locationObj, object numelObj, object view, UnpickleContext ctx)
    {
        if (type is not PyGlobal { Kind: AllowedGlobal.StorageClass, DType: { } dtype })
            throw ctx.Fail($"storage type must be a torch storage class, not {PyTypes.Name(type)}");
        string key = StateDictLocator.KeyText(keyObj) ?? throw ctx.Fail($"storage key must be a string, not {PyTypes.Name(keyObj)}");
        string location = locationObj as string ?? throw ctx.Fail($"storage location must be a string, not {PyTypes.Name(locationObj)}");
        if (!PyTypes.TryGetInt64(numelObj, out long numel) || numel < 0)
            throw ctx.Fail($"storage '{key}' size must be a non-negative integer, not {PyTypes.Name(numelObj)}");
        // Stored storages lie in the file; a zip's deflated entry can hold up to deflate's ratio more (its own size is
        // checked when the storage is bound to its entry).
        long capacity = !zip ? fileLength : fileLength > long.MaxValue / DeflatedStorageBytes.MaxRatio ? long.MaxValue : fileLength * DeflatedStorageBytes.MaxRatio;
        if (numel > capacity / dtype.ByteSize())
            throw ctx.Fail($"storage '{key}' claims {numel} {dtype.TorchName()} elements, more than the {fileLength}-byte file can hold");

        if (_storages.TryGetValue(key, out var root))
        {
            if (root.DType != dtype || root.ElementCount != numel)
                throw ctx.Fail($"storage '{key}' is referenced as {root.ElementCount} {root.DType.TorchName()} and as {numel} {dtype.TorchName()} elements");
        }
        else
        {
            root = new TorchStorageRef(key, dtype, numel, location);
            _storages[key] = root;
        }
        if (view is PyNone) return root;

        // Legacy view metadata: (view_key, offset, view_size) selects elements of the root storage.
        if (view is not PyTuple { Count: 3 } v || !PyTypes.TryGetInt64(v.Items[1], out long offset) || !PyTypes.TryGetInt64(v.Items[2], out long size))
            throw ctx.Fail($"storage '{key}' view metadata must be (key, offset, size), not {PyTypes.Name(view)}");
        if (offset < 0 || size < 0 || offset > numel || size > numel - offset)
            throw ctx.Fail($"storage view [{offset}, +{size}) lies outside storage '{key}' of {numel} elements");
        return root with { ElementCount = size, ElementOffset = offset };
    }
}
