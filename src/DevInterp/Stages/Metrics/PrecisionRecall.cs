namespace DevInterp.Stages.Metrics;

/// <summary>Precision and recall of found change points against true ones (see <see cref="BreakpointMetrics.PrecisionRecall"/>).</summary>
/// <param name="Precision">True positives / found change points (0 when none was found).</param>
/// <param name="Recall">True positives / true change points (0 when there are none).</param>
/// <param name="TruePositives">Number of true change points detected.</param>
/// <param name="Found">Number of found change points (the final T excluded).</param>
/// <param name="Actual">Number of true change points (the final T excluded).</param>
public sealed record PrecisionRecall(double Precision, double Recall, int TruePositives, int Found, int Actual)
{
    /// <summary>Harmonic mean of precision and recall (0 when both are 0).</summary>
    public double F1 => Precision + Recall > 0 ? 2 * Precision * Recall / (Precision + Recall) : 0;
}
