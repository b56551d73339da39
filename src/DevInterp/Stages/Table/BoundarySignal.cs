using DevInterp.Stages.LlcCurve;
using DevInterp.Stages.Search;

namespace DevInterp.Stages.Table;

/// <summary>
/// The stage boundaries one signal proposes (LLC critical points, loss change points, similarity drops,
/// essential-dynamics cusps…): the steps at which, according to that signal, a new stage starts.
/// </summary>
/// <param name="Name">Unique name of the signal, shown in the table (e.g. <c>llc</c>, <c>loss</c>, <c>sim.layer3</c>).</param>
/// <param name="Steps">Boundary steps, any order.</param>
public sealed record BoundarySignal(string Name, IReadOnlyList<long> Steps)
{
    /// <summary>First step the signal was computed on; null for the run's first checkpoint.</summary>
    public long? CoverageStart { get; init; }

    /// <summary>Last step the signal was computed on; null for the run's last checkpoint.</summary>
    public long? CoverageEnd { get; init; }

    /// <summary>
    /// The boundaries among <see cref="Steps"/> that mark only a change of the signal's rate (a curve speeding up or
    /// slowing down, <see cref="Trends.TrendBreak.IsRateChange"/>), not a plateau starting or ending, a step, a reversal or
    /// a burst: the weakest evidence of a new stage. A merged boundary made of nothing else needs
    /// <see cref="StageTableOptions.MinRateChangeConfidence"/>.
    /// </summary>
    public IReadOnlyList<long> RateChanges { get; init; } = [];

    /// <summary>
    /// The change points of a search on a per-checkpoint signal, as steps: change point b (the row where a new
    /// segment starts) becomes <paramref name="steps"/>[b]. The coverage is the steps' range.
    /// </summary>
    public static BoundarySignal FromChangePoints(string name, ChangePointResult result, IReadOnlyList<long> steps)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count != result.Length)
            throw new ArgumentException($"steps: {steps.Count} steps for a signal of {result.Length} rows", nameof(steps));
        return new BoundarySignal(name, result.ChangePoints.Select(b => steps[b]).ToArray())
        {
            CoverageStart = steps[0],
            CoverageEnd = steps[^1],
        };
    }

    /// <summary>The stage boundaries of an LLC curve (<see cref="LlcStageResult.BoundarySteps"/>), covering its steps.</summary>
    public static BoundarySignal FromLlcStages(string name, LlcStageResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new BoundarySignal(name, result.BoundarySteps) { CoverageStart = result.Steps[0], CoverageEnd = result.Steps[^1] };
    }
}
