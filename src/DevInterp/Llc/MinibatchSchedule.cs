using TorchSharp;

namespace DevInterp.Llc;

/// <summary>
/// Minibatch indices for C chains: every step, each chain gets B indices drawn uniformly at random (with replacement)
/// from the training set, independently of all earlier steps. Independence matters: a draw's batch must carry no
/// information about the chain's current position, or the control variate of <see cref="LlcEstimator"/> would bias
/// the estimate (a shuffled, without-replacement epoch order correlates later batches with earlier ones).
/// Deterministic for a seed, independent of how the loss is computed.
/// </summary>
public sealed class MinibatchSchedule : IDisposable
{
    private readonly torch.Generator _generator;
    private readonly long _n;
    private readonly long _batch;
    private readonly long _chains;

    /// <summary>Creates the schedule; <paramref name="batchSize"/> null or ≥ n means full batch (indices are null).</summary>
    public MinibatchSchedule(long sampleCount, int? batchSize, long chains, ulong seed)
    {
        _n = sampleCount;
        _chains = chains;
        _batch = batchSize is { } b && b < sampleCount ? b : sampleCount;
        _generator = new torch.Generator(seed);
    }

    /// <summary>True when every step uses the whole training set.</summary>
    public bool FullBatch => _batch >= _n;

    /// <summary>Batch size actually used.</summary>
    public long BatchSize => _batch;

    /// <summary>The next [C, B] indices (owned by the caller's dispose scope), or null for full batch.</summary>
    public torch.Tensor? Next() =>
        FullBatch ? null : torch.randint(_n, [_chains, _batch], dtype: torch.ScalarType.Int64, generator: _generator);

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();
}
