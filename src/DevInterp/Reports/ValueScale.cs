namespace DevInterp.Reports;

/// <summary>When a quantity is read on a log scale.</summary>
public static class ValueScale
{
    /// <summary>Values spanning more than this factor (all positive) are drawn on a log axis.</summary>
    public const double DecadesFactor = 30;

    /// <summary>True when the finite values are all positive and the largest is more than <see cref="DecadesFactor"/> × the smallest.</summary>
    public static bool SpansDecades(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (!double.IsFinite(v)) continue;
            if (v <= 0) return false;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return max > DecadesFactor * min;
    }
}
