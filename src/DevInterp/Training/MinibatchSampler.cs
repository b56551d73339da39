using DevInterp.Tasks;
using static TorchSharp.torch;

namespace DevInterp.Training;

/// <summary>
/// Row indices for each step: all rows (full batch), or <c>batch_size</c> rows drawn without replacement by a partial
/// Fisher–Yates shuffle of a persistent index permutation, driven by a <see cref="TaskRng"/> of the training seed.
/// </summary>
internal sealed class MinibatchSampler
{
    private readonly long _count;
    private readonly int? _batch;
    private readonly long[] _order;
    private readonly TaskRng _rng;

    public MinibatchSampler(long count, int? batchSize, long seed)
    {
        _count = count;
        _batch = batchSize is { } b && b < count ? b : null;
        _order = _batch is null ? [] : [.. Enumerable.Range(0, (int)count).Select(i => (long)i)];
        // Decorrelate from the data generator, which may share the seed.
        _rng = new TaskRng(unchecked(seed ^ 0x5DEECE66DL));
    }

    /// <summary>The next batch's indices (int64), or null for the whole set.</summary>
    public Tensor? Next()
    {
        if (_batch is not { } b) return null;
        for (int i = 0; i < b; i++)
        {
            int j = i + _rng.NextInt((int)_count - i);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
        return tensor(_order.AsSpan(0, b).ToArray(), ScalarType.Int64);
    }
}
