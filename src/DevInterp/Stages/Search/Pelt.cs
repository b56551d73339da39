using DevInterp.Stages.Costs;

namespace DevInterp.Stages.Search;

/// <summary>
/// PELT (Killick, Fearnhead and Eckley 2012): the exact minimiser of Σ segment costs + penalty × (number of change
/// points) under the minimum segment size, found by optimal partitioning with pruning of last-segment starts that can
/// never again be optimal. Exact for costs with C(a, b) + C(b, c) ≤ C(a, c) — all built-in costs. Near-linear time
/// when changes keep occurring; O(T²) cost evaluations on a signal without any. Needs a penalty stop rule.
/// </summary>
public sealed class Pelt(SearchOptions? options = null) : IChangePointSearch
{
    private readonly SearchOptions _options = options ?? SearchOptions.Default;

    /// <inheritdoc/>
    public string Name => "pelt";

    /// <inheritdoc/>
    public ChangePointResult Predict(ISegmentCost cost, StopRule stop)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(stop);
        if (stop.Penalty is not { } penalty)
            throw new ArgumentException("pelt: needs a penalty stop rule; for a fixed number of change points use binseg or dynp", nameof(stop));
        int minSize = _options.EffectiveMinSize(cost);
        var (breakpoints, total) = OptimalPartitioning.Solve(cost, penalty, minSize, prune: true);
        return new ChangePointResult(breakpoints, total, stop, Name, cost.Name, minSize);
    }
}
