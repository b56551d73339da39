using System.Globalization;

namespace DevInterp.Analysis;

/// <summary>
/// One of n processes sharing a run: shard i/n handles every n-th checkpoint (indices i, i+n, i+2n, ... in step order,
/// 0-based), so n processes or machines can split the per-checkpoint work and their parts merge into one store.
/// </summary>
/// <param name="Index">This shard, 0 ≤ Index &lt; Count.</param>
/// <param name="Count">Number of shards.</param>
public sealed record Shard(int Index, int Count)
{
    /// <summary>The whole run in one process.</summary>
    public static Shard All { get; } = new(0, 1);

    /// <summary>True when this shard handles the checkpoint at <paramref name="checkpointIndex"/> (its position in step order).</summary>
    public bool Includes(int checkpointIndex) => checkpointIndex % Count == Index;

    /// <summary>Parses <c>i/n</c> (0-based i).</summary>
    /// <exception cref="ArgumentException">Not of the form i/n with 0 ≤ i &lt; n.</exception>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || i >= n)
            throw new ArgumentException($"--shard '{text}' must be i/n with 0 ≤ i < n (e.g. 0/4)");
        return new Shard(i, n);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
