using DevInterp.Stages;
using DevInterp.Stages.Costs;

namespace DevInterp.Analysis;

/// <summary>
/// The similarity signal of a stage analysis: how fast the representations change, per checkpoint interval, averaged
/// over layers, and its prominent peaks ("similarity drops"). Per layer, one measure's adjacent-step change
/// (<see cref="LayerSimilarityMatrix.AdjacentChange"/>: 1 − similarity, or the distance) is divided by its largest
/// value, so every layer weighs the same whatever its scale; the curve is the mean over layers at each checkpoint (the
/// later one of its interval). A transition is a burst of change between quiet stretches, so it is one peak of this
/// rate; a slow drift (a small network aligning with its task before the loss moves, which the levels of the
/// similarity matrix cut into arbitrary blocks) has no peak of its own. A peak marks the checkpoint a new stage starts
/// at: the first one after the fastest change.
/// </summary>
public static class SimilarityDrops
{
    /// <summary>
    /// The curve over every layer of <paramref name="matrices"/>, using linear CKA where a layer has it, else its first
    /// measure in ordinal order; null when no layer has two checkpoints with a finite change.
    /// </summary>
    public static SimilarityDropCurve? Curve(IReadOnlyList<LayerSimilarityMatrix> matrices)
    {
        ArgumentNullException.ThrowIfNull(matrices);
        var sums = new SortedDictionary<long, (double Sum, int Count)>();
        var used = new List<(string Layer, string Measure)>();
        long? first = null, last = null;
        foreach (var layer in matrices.GroupBy(m => m.Layer).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var chosen = layer.FirstOrDefault(m => m.Measure == "linear_cka") ?? layer.OrderBy(m => m.Measure, StringComparer.Ordinal).First();
            var change = chosen.AdjacentChange();
            double max = change.Values.Where(double.IsFinite).DefaultIfEmpty(0).Max();
            if (!(max > 0)) continue; // never changes (or undefined): no information on when it changed
            used.Add((layer.Key, chosen.Measure));
            var steps = chosen.Matrix.Steps;
            first = first is { } f ? Math.Min(f, steps[0]) : steps[0];
            last = last is { } l ? Math.Max(l, steps[^1]) : steps[^1];
            for (int i = 0; i < change.Steps.Count; i++)
            {
                double v = change.Values[i];
                if (!double.IsFinite(v)) continue;
                var (sum, count) = sums.GetValueOrDefault(change.Steps[i]);
                sums[change.Steps[i]] = (sum + v / max, count + 1);
            }
        }
        if (used.Count == 0 || sums.Count < 1) return null;
        return new SimilarityDropCurve(used, sums.Keys.ToArray(), sums.Values.Select(s => s.Sum / s.Count).ToArray(), first!.Value, last!.Value);
    }

    /// <summary>
    /// The steps of the curve's peaks whose prominence is at least max(<paramref name="resolution"/> × the curve's
    /// largest value, <paramref name="significanceZ"/> × its robust noise level σ̂ (<see cref="NoiseScale"/>)), at
    /// least <paramref name="minDistance"/> checkpoints apart.
    /// </summary>
    public static IReadOnlyList<long> Boundaries(SimilarityDropCurve curve, double resolution, double significanceZ, int minDistance)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var values = curve.Values;
        if (values.Count < 3) return [];
        double noise = NoiseScale.Estimate(Signals.FromSeries(values))[0];
        double threshold = Math.Max(resolution * values.Max(), significanceZ * noise);
        return ProminentPeaks.Find(values, threshold, minDistance).Select(i => curve.Steps[i]).ToArray();
    }
}

/// <summary>The mean normalized adjacent-step change of several layers.</summary>
/// <param name="Layers">The layers averaged, with the measure used for each.</param>
/// <param name="Steps">Each value's checkpoint: the later one of its interval (the run's first checkpoint has none).</param>
/// <param name="Values">Mean over layers of the change from the previous checkpoint, each layer divided by its largest change.</param>
/// <param name="CoverageStart">The first checkpoint the matrices cover.</param>
/// <param name="CoverageEnd">The last checkpoint the matrices cover.</param>
public sealed record SimilarityDropCurve(IReadOnlyList<(string Layer, string Measure)> Layers, IReadOnlyList<long> Steps,
    IReadOnlyList<double> Values, long CoverageStart, long CoverageEnd);
