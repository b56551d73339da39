using System.Globalization;

namespace DevInterp.Stages.Trends;

/// <summary>
/// The time coordinate stage detection measures trends in: x = ln(1 + step / s₀), with the offset s₀ chosen so that the
/// run's checkpoints are as evenly spaced in x as possible (the smallest coefficient of variation of the gaps). A
/// log-spaced schedule (0, 1, 2, …, 100, 124, 154, …) gets a small s₀ and x ≈ ln(step); an evenly spaced one
/// (every 200 epochs) gets s₀ → ∞, the linear limit x = step / s₀; an uneven one (every 100 steps, then every 400) gets a
/// smooth compromise. Because x is a smooth function of the step, not of the checkpoint's index, a change of the
/// spacing bends no curve: it is never a transition. The schedule a researcher chose is taken to resolve the dynamics
/// they care about, so a trend that is straight in this coordinate is one regime.
/// </summary>
/// <param name="Offset">s₀ in steps; +∞ for the linear limit.</param>
/// <param name="Spread">Coefficient of variation of the checkpoint gaps in x at this offset (0 = perfectly even).</param>
public sealed record TimeAxis(double Offset, double Spread)
{
    /// <summary>The offsets tried: 1, 2, 5, 10, 20, 50, … up to 100 × the last step, and the linear limit.</summary>
    private static IEnumerable<double> Candidates(long last)
    {
        for (double decade = 1; decade <= 100.0 * Math.Max(last, 1); decade *= 10)
            foreach (double m in new[] { 1.0, 2.0, 5.0 }) yield return m * decade;
        yield return double.PositiveInfinity;
    }

    /// <summary>The linear axis, x = step / 1000.</summary>
    public static TimeAxis Linear { get; } = new(double.PositiveInfinity, double.NaN);

    /// <summary>True when the axis is linear in the step (x = step / scale).</summary>
    public bool IsLinear => double.IsPositiveInfinity(Offset);

    /// <summary>The axis that spaces <paramref name="steps"/> (≥ 0, strictly increasing, at least 2) most evenly.</summary>
    public static TimeAxis For(IReadOnlyList<long> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count < 2) throw new ArgumentException($"steps: need at least 2 checkpoints, got {steps.Count}", nameof(steps));
        for (int i = 0; i < steps.Count; i++)
            if (steps[i] < 0 || (i > 0 && steps[i] <= steps[i - 1]))
                throw new ArgumentException($"steps: must be ≥ 0 and strictly increasing; {steps[i]} at index {i}", nameof(steps));
        if (steps.Count == 2) return new TimeAxis(double.PositiveInfinity, 0);
        TimeAxis? best = null;
        foreach (double offset in Candidates(steps[^1]))
        {
            var axis = new TimeAxis(offset, 0);
            double spread = GapSpread(axis.Positions(steps));
            // Ties (and near-ties, within 1%) go to the smaller offset: the log axis is the field's convention.
            if (best is null || spread < best.Spread * 0.99) best = axis with { Spread = spread };
        }
        return best!;
    }

    /// <summary>The position of a step: ln(1 + step / s₀), or step / 1000 in the linear limit.</summary>
    public double Position(double step) => IsLinear ? step / LinearScale : Math.Log(1 + step / Offset);

    /// <summary>Positions of the steps.</summary>
    public double[] Positions(IReadOnlyList<long> steps) => steps.Select(s => Position(s)).ToArray();

    // The linear axis counts thousands of steps; any fixed scale works, since floors are relative to the curve, not to x.
    private const double LinearScale = 1000;

    /// <summary>A readable description: "ln(1 + step/5)" or "linear in step".</summary>
    public string Describe(string unit = "step") => IsLinear
        ? $"linear in the {unit}"
        : string.Create(CultureInfo.InvariantCulture, $"ln(1 + {unit}/{Offset:G3})");

    private static double GapSpread(double[] x)
    {
        var gaps = new double[x.Length - 1];
        for (int i = 0; i + 1 < x.Length; i++) gaps[i] = x[i + 1] - x[i];
        double mean = gaps.Average();
        double variance = gaps.Sum(g => (g - mean) * (g - mean)) / gaps.Length;
        return Math.Sqrt(variance) / mean;
    }
}
