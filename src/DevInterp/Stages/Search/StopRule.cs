namespace DevInterp.Stages.Search;

/// <summary>
/// When a search stops: either at a fixed number of change points, or by a penalty added per change point (a change
/// is kept only if it lowers the total cost by more than the penalty). Exactly one of the two is set.
/// </summary>
public sealed record StopRule
{
    private StopRule(int? count, double? penalty)
    {
        BreakpointCount = count;
        Penalty = penalty;
    }

    /// <summary>Number of change points to find (not counting the final index T), or null.</summary>
    public int? BreakpointCount { get; }

    /// <summary>Penalty per change point, in the cost's units, or null.</summary>
    public double? Penalty { get; }

    /// <summary>Find exactly <paramref name="count"/> change points (≥ 0).</summary>
    public static StopRule Count(int count) => count >= 0
        ? new StopRule(count, null)
        : throw new ArgumentOutOfRangeException(nameof(count), $"breakpoint count must be ≥ 0, got {count}");

    /// <summary>Penalise each change point by <paramref name="penalty"/> (finite, ≥ 0).</summary>
    public static StopRule WithPenalty(double penalty) => penalty >= 0 && double.IsFinite(penalty)
        ? new StopRule(null, penalty)
        : throw new ArgumentOutOfRangeException(nameof(penalty), $"penalty must be a finite number ≥ 0, got {penalty}");

    /// <inheritdoc/>
    public override string ToString() => BreakpointCount is { } k ? $"count {k}" : $"penalty {Penalty}";
}
