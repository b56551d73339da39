namespace DevInterp.Stages.Table;

/// <summary>A scalar curve over training steps (LLC, loss), sampled at strictly increasing steps.</summary>
/// <param name="Steps">Steps, strictly increasing, ≥ 0.</param>
/// <param name="Values">Values, finite, one per step.</param>
public sealed record StepCurve(IReadOnlyList<long> Steps, IReadOnlyList<double> Values)
{
    /// <summary>
    /// The value at a step, linearly interpolated in ln(step + 1) between the two surrounding samples; null outside
    /// [first step, last step].
    /// </summary>
    public double? At(long step)
    {
        if (Steps.Count == 0 || step < Steps[0] || step > Steps[^1]) return null;
        int hi = 0;
        while (Steps[hi] < step) hi++;
        if (Steps[hi] == step) return Values[hi];
        int lo = hi - 1;
        double x0 = Math.Log(Steps[lo] + 1.0), x1 = Math.Log(Steps[hi] + 1.0), x = Math.Log(step + 1.0);
        return Values[lo] + (Values[hi] - Values[lo]) * (x - x0) / (x1 - x0);
    }

    /// <summary>Largest minus smallest value (0 for an empty curve).</summary>
    public double Range => Values.Count == 0 ? 0 : Values.Max() - Values.Min();

    internal void Validate(string name)
    {
        if (Steps is null || Values is null) throw new ArgumentException($"{name}: steps and values are required", name);
        if (Steps.Count != Values.Count) throw new ArgumentException($"{name}: {Values.Count} values for {Steps.Count} steps", name);
        for (int i = 0; i < Steps.Count; i++)
        {
            if (Steps[i] < 0 || (i > 0 && Steps[i] <= Steps[i - 1]))
                throw new ArgumentException($"{name}: steps must be ≥ 0 and strictly increasing; {Steps[i]} at index {i}", name);
            if (!double.IsFinite(Values[i])) throw new ArgumentException($"{name}: value at step {Steps[i]} is {Values[i]}; expected a finite number", name);
        }
    }
}
