namespace DevInterp.Stages.LlcCurve;

/// <summary>Stages of an LLC curve, with the smoothed curve and slope they were read from.</summary>
/// <param name="Steps">Steps of the checkpoints used (step 0 removed under <see cref="StepZeroHandling.Drop"/>).</param>
/// <param name="LogSteps">Their positions on the log-step axis.</param>
/// <param name="Smoothed">Smoothed values (local-linear Gaussian fit in log step) at each checkpoint.</param>
/// <param name="Slopes">d value / d ln(step) of that fit at each checkpoint.</param>
/// <param name="Stages">The stages, in order; they tile the run.</param>
/// <param name="CriticalPoints">Peaks and troughs: where the slope changes sign between a rising and a falling stage.</param>
/// <param name="Bandwidth">The bandwidth used (log-step units).</param>
/// <param name="FlatThreshold">The range-relative |slope| below which a checkpoint counts as flat (value per unit ln step).</param>
/// <param name="NoiseLevel">Robust noise σ of the raw values (MAD of first differences / √2) used by the significance test.</param>
public sealed record LlcStageResult(
    IReadOnlyList<long> Steps,
    IReadOnlyList<double> LogSteps,
    IReadOnlyList<double> Smoothed,
    IReadOnlyList<double> Slopes,
    IReadOnlyList<LlcStage> Stages,
    IReadOnlyList<LlcCriticalPoint> CriticalPoints,
    double Bandwidth,
    double FlatThreshold,
    double NoiseLevel)
{
    /// <summary>The stage boundaries: the start step of every stage but the first.</summary>
    public IReadOnlyList<long> BoundarySteps => Stages.Skip(1).Select(s => s.StartStep).ToArray();
}
