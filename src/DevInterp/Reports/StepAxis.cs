using System.Globalization;

namespace DevInterp.Reports;

/// <summary>
/// Steps on a logarithmic axis. Checkpoint schedules are dense early and sparse late and start at step 0, which a log
/// axis cannot show, so every step is plotted at <c>step + 1</c> (step 0 at the axis origin, log 1 = 0) and the ticks
/// are labelled with the real steps (the tick for step 100 sits at 101). Hover labels show the real step too.
/// </summary>
public static class StepAxis
{
    /// <summary>The plotted coordinate of <paramref name="step"/>.</summary>
    public static double X(long step) => step + 1.0;

    /// <summary>
    /// Tick positions (plotted coordinates) and labels (real steps) for steps in [<paramref name="min"/>, <paramref name="max"/>]:
    /// step 0 when in range, then 1·10^k (and 2·10^k, 5·10^k when the range spans at most three decades).
    /// </summary>
    public static (double[] Values, string[] Labels) Ticks(long min, long max)
    {
        if (min < 0 || max < min) throw new ArgumentOutOfRangeException(nameof(max), $"step range [{min}, {max}] is not a range of steps ≥ 0");
        double decades = Math.Log10(max + 1.0) - Math.Log10(min + 1.0);
        long[] multiples = decades <= 3 ? [1, 2, 5] : [1];
        var steps = new SortedSet<long>();
        if (min == 0) steps.Add(0);
        for (long power = 1; power <= max && power > 0; power = power <= long.MaxValue / 10 ? power * 10 : -1)
        {
            foreach (long m in multiples)
            {
                long s = m * power;
                if (s >= min && s <= max) steps.Add(s);
            }
        }
        if (steps.Count < 2) { steps.Add(min); steps.Add(max); }
        return (steps.Select(X).ToArray(), steps.Select(Label).ToArray());
    }

    /// <summary>The plotted range of a log step axis for steps in [<paramref name="min"/>, <paramref name="max"/>], in log10 units
    /// (what plotly.js takes for a log axis): the steps' own plus 3% of the span on each side.</summary>
    public static double[] Range(long min, long max)
    {
        double lo = Math.Log10(X(min)), hi = Math.Log10(X(max)), pad = 0.03 * Math.Max(hi - lo, 0.1);
        return [lo - pad, hi + pad];
    }

    /// <summary>A short label for a step: 950, 1k, 2.5k, 10k, 1M.</summary>
    public static string Label(long step) => step switch
    {
        < 1_000 => step.ToString(CultureInfo.InvariantCulture),
        < 1_000_000 => Short(step / 1e3) + "k",
        < 1_000_000_000 => Short(step / 1e6) + "M",
        _ => Short(step / 1e9) + "G",
    };

    private static string Short(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
