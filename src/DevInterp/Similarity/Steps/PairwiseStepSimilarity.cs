using DevInterp.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace DevInterp.Similarity.Steps;

/// <summary>
/// Any <see cref="ISimilarityMeasure"/> between every pair of checkpoints by the plain pairwise loop (T(T+1)/2
/// evaluations). For linear and debiased CKA use <see cref="StepSimilarityAccumulator"/>, which is far faster; this is
/// for CCA-family measures, RBF CKA, Procrustes and RSA, whose pair terms do not factor through per-checkpoint
/// statistics. Entry (i, j) for i &gt; j is the measure of (checkpoint j, checkpoint i): asymmetric measures (PWCCA) are
/// evaluated with the earlier checkpoint first and mirrored.
/// </summary>
public static class PairwiseStepSimilarity
{
    /// <summary>The T × T matrix of <paramref name="measure"/> over checkpoints given with their steps.</summary>
    public static StepSimilarityMatrix Compute(ISimilarityMeasure measure, IReadOnlyList<long> steps, IReadOnlyList<Matrix<double>> features)
    {
        ArgumentNullException.ThrowIfNull(measure);
        if (steps.Count != features.Count)
            throw new ArgumentException($"features: {features.Count} matrices for {steps.Count} steps", nameof(features));
        if (steps.Count == 0) throw new ArgumentException("steps: expected at least one checkpoint", nameof(steps));
        var order = Enumerable.Range(0, steps.Count).OrderBy(i => steps[i]).ToArray();
        for (int k = 1; k < order.Length; k++)
            if (steps[order[k]] == steps[order[k - 1]]) throw new ArgumentException($"steps: {steps[order[k]]} appears twice", nameof(steps));
        int t = order.Length;
        var values = new double[t * t];
        for (int i = 0; i < t; i++)
            for (int j = i; j < t; j++)
            {
                double v = measure.Compute(features[order[i]], features[order[j]]);
                values[i * t + j] = v;
                values[j * t + i] = v;
            }
        return new StepSimilarityMatrix(measure.Name, order.Select(i => steps[i]).ToArray(), new ReadOnlyMatrix(t, t, values));
    }
}
