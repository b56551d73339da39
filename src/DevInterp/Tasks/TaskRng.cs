namespace DevInterp.Tasks;

/// <summary>
/// The data generator's random numbers: SplitMix64 (Steele, Lea and Flood 2014), documented so that data can be rebuilt
/// from a task spec by any implementation. <see cref="NextDouble"/> takes the top 53 bits of a draw;
/// <see cref="NextGaussian"/> is Box–Muller on two uniforms (u1 = 1 − NextDouble(), u2 = NextDouble()) returning
/// sqrt(−2 ln u1)·cos(2π u2), then sqrt(−2 ln u1)·sin(2π u2) on the next call.
/// </summary>
public sealed class TaskRng
{
    private ulong _state;
    private double? _spare;

    /// <summary>Starts the sequence at <paramref name="seed"/>.</summary>
    public TaskRng(long seed) => _state = unchecked((ulong)seed);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        unchecked
        {
            _state += 0x9E3779B97F4A7C15UL;
            ulong z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform on [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal.</summary>
    public double NextGaussian()
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return spare;
        }
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = r * Math.Sin(2.0 * Math.PI * u2);
        return r * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform integer in [0, <paramref name="n"/>) (multiply-shift on the top 32 bits: bias below 2^-32·n).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)(((NextUInt64() >> 32) * (ulong)n) >> 32);
    }
}
