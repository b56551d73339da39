using DevInterp.Numerics;

namespace DevInterp.Similarity.Steps;

/// <summary>A T × T matrix of one measure between checkpoints, rows and columns in ascending step order.</summary>
/// <param name="Measure">The measure's name, e.g. <c>linear_cka</c>.</param>
/// <param name="Steps">The checkpoint steps, ascending.</param>
/// <param name="Values">Entry (i, j) compares the checkpoints at <c>Steps[i]</c> and <c>Steps[j]</c>.</param>
public sealed record StepSimilarityMatrix(string Measure, IReadOnlyList<long> Steps, ReadOnlyMatrix Values)
{
    /// <summary>Consecutive checkpoints: value i compares Steps[i + 1] with Steps[i] (T − 1 values, at the later step).</summary>
    public StepCurve Adjacent() => new(
        Measure,
        "step vs previous checkpoint",
        Steps.Skip(1).ToArray(),
        Enumerable.Range(1, Math.Max(0, Steps.Count - 1)).Select(i => Values[i - 1, i]).ToArray());

    /// <summary>Every checkpoint against the last one (the final model).</summary>
    public StepCurve ToFinal() => Against(Steps.Count - 1, "final");

    /// <summary>Every checkpoint against the first one (initialization).</summary>
    public StepCurve ToInitial() => Against(0, "initial");

    /// <summary>Every checkpoint against the one at <paramref name="step"/>.</summary>
    public StepCurve ToStep(long step)
    {
        int index = Steps.ToList().IndexOf(step);
        if (index < 0) throw new ArgumentException($"step: {step} is not one of the {Steps.Count} checkpoints", nameof(step));
        return Against(index, "reference");
    }

    private StepCurve Against(int index, string which)
    {
        if (Steps.Count == 0) throw new InvalidOperationException($"{Measure}: no checkpoints");
        return new StepCurve(Measure, $"step vs {which} step {Steps[index]}", Steps,
            Enumerable.Range(0, Steps.Count).Select(i => Values[i, index]).ToArray());
    }
}
