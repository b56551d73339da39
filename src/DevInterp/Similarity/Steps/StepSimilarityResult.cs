namespace DevInterp.Similarity.Steps;

/// <summary>Result of <see cref="StepSimilarityAccumulator.Result"/>.</summary>
/// <param name="LinearCka">Linear CKA between every pair of checkpoints.</param>
/// <param name="DebiasedCka">
/// Debiased linear CKA between every pair of checkpoints; null when the probe batch has fewer than 4 samples. An entry
/// is NaN when a checkpoint's unbiased self-HSIC is not positive (degenerate features).
/// </param>
/// <param name="Route">The route that computed it (never <see cref="StepSimilarityRoute.Auto"/>).</param>
/// <param name="Samples">Probe samples n.</param>
/// <param name="Features">Features per checkpoint d (before any reduction to n columns).</param>
public sealed record StepSimilarityResult(
    StepSimilarityMatrix LinearCka,
    StepSimilarityMatrix? DebiasedCka,
    StepSimilarityRoute Route,
    int Samples,
    int Features)
{
    /// <summary>The checkpoint steps, ascending.</summary>
    public IReadOnlyList<long> Steps => LinearCka.Steps;
}
