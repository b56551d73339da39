using DevInterp.Stages.Metrics;

namespace DevInterp.Tests.Analysis;

/// <summary>
/// A stage table's boundaries against a run's documented transitions, in checkpoint positions: a transition between two
/// checkpoints sits at its interpolated index; a boundary "finds" it when it lies within one checkpoint interval of it.
/// Precision and recall are ruptures' (<see cref="BreakpointMetrics.PrecisionRecall"/>) on the nearest checkpoints with a
/// margin of 2 (strict, so within one interval).
/// </summary>
internal sealed record StageScore(IReadOnlyList<double> Transitions, IReadOnlyList<int> Boundaries, double Precision, double Recall, IReadOnlyList<long> BoundarySteps)
{
    public int Found => Boundaries.Count;

    public bool EveryTransitionFound => Transitions.All(t => Boundaries.Any(b => Math.Abs(b - t) <= 1 + 1e-9));

    public static StageScore Of(IReadOnlyList<long> checkpoints, IReadOnlyList<long> transitions, IReadOnlyList<long> boundaries)
    {
        var steps = checkpoints.ToList();
        double Position(long step)
        {
            int hi = steps.FindIndex(s => s >= step);
            if (hi < 0) return steps.Count - 1;
            if (steps[hi] == step || hi == 0) return hi;
            return hi - 1 + (double)(step - steps[hi - 1]) / (steps[hi] - steps[hi - 1]);
        }
        var truth = transitions.Select(Position).ToList();
        var found = boundaries.Select(b => steps.IndexOf(b)).ToList();
        int t = steps.Count;
        var nearest = truth.Select(p => (int)Math.Round(p)).Distinct().Order().ToList();
        var pr = BreakpointMetrics.PrecisionRecall([.. nearest, t], [.. found.Order(), t], 2);
        return new StageScore(truth, found, pr.Precision, pr.Recall, boundaries);
    }

    public override string ToString() =>
        $"boundaries [{string.Join(", ", BoundarySteps)}] against transitions at positions [{string.Join(", ", Transitions.Select(p => p.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}]: " +
        $"precision {Precision:F2}, recall {Recall:F2}";
}
