namespace DevInterp.Checkpoints.PyTorch;

/// <summary>
/// The unpickler's memo (PUT/GET indices to values). Python's pickler numbers memo entries 0, 1, 2, ... in order, so
/// those live in a list (no hashing, no per-entry allocation); any other index a hand-written pickle uses goes to a
/// dictionary. Indices in the dictionary are never below the list's length, so the two never hold the same index.
/// </summary>
internal sealed class PickleMemo
{
    private readonly List<object> _dense = new(64);
    private Dictionary<long, object>? _sparse;

    /// <summary>How many distinct indices are stored (the next index for MEMOIZE).</summary>
    public long Count => _dense.Count + (_sparse?.Count ?? 0);

    public void Set(long index, object value)
    {
        if (index >= 0 && index < _dense.Count) _dense[(int)index] = value;
        else if (index == _dense.Count && index < int.MaxValue && (_sparse is null || !_sparse.ContainsKey(index))) _dense.Add(value);
        else (_sparse ??= [])[index] = value;
    }

    public bool TryGet(long index, out object value)
    {
        if (index >= 0 && index < _dense.Count)
        {
            value = _dense[(int)index];
            return true;
        }
        if (_sparse is not null && _sparse.TryGetValue(index, out object? found))
        {
            value = found;
            return true;
        }
        value = PyNone.Instance;
        return false;
    }
}
