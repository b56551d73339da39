using TorchSharp;

namespace DevInterp.Llc.Samplers;

/// <summary>
/// The standard normal draws of C chains ([C, D], refilled in place every step), each chain's row from its own
/// generator: the rows are drawn in parallel on up to torch's intra-op thread count (libtorch draws one tensor on one
/// thread, a tenth of a step of the grokking model), and each row's values depend only on the seed and the chain, not
/// on the thread count.
/// </summary>
internal sealed class ChainNoise : IDisposable
{
    private readonly torch.Generator[] _generators;
    private readonly torch.Tensor[] _rows;

    /// <summary>Creates the generators of <paramref name="noise"/>'s rows, chain c's seeded from (seed, c).</summary>
    public ChainNoise(torch.Tensor noise, ulong seed)
    {
        Values = noise;
        long chains = noise.shape[0];
        _generators = new torch.Generator[chains];
        _rows = new torch.Tensor[chains];
        for (long c = 0; c < chains; c++)
        {
            _generators[c] = new torch.Generator(LlcEstimator.Mix(unchecked((long)seed), (ulong)c));
            _rows[c] = noise.narrow(0, c, 1).DetachFromDisposeScope();
        }
    }

    /// <summary>The draws [C, D].</summary>
    public torch.Tensor Values { get; }

    /// <summary>Fresh draws into <see cref="Values"/>.</summary>
    public void Fill()
    {
        Numerics.ChainParallel.For(_rows.Length, c => _rows[c].normal_(generator: _generators[c]));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var r in _rows) r.Dispose();
        foreach (var g in _generators) g.Dispose();
    }
}
