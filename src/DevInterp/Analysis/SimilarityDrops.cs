using DevInterp.Stages;
using DevInterp.Stages.Costs;
using DevInterp.Stages.Trends;

namespace DevInterp.Analysis;

/// <summary>
/// The similarity signal of a stage analysis: how fast the representations change, per checkpoint interval, averaged
/// over layers, and its bursts ("similarity drops"). Per layer, one measure's adjacent-step change
/// (<see cref="LayerSimilarityMatrix.AdjacentChange"/>: 1 − similarity, or the distance) is divided by its largest
/// value, so every layer weighs the same whatever its scale; the curve is the mean over layers at each checkpoint (the
/// later one of its interval). A transition is a burst of change between quieter stretches: a prominent peak of this
/// rate per unit of the run's time coordinate (<see cref="TimeAxis"/>; dividing by the interval's length there keeps a
/// change of checkpoint spacing from looking like a burst). A peak marks the checkpoint a new stage starts at: the first
/// one after the fastest change. A slow drift (a small network aligning with its task before the loss moves) has no
/// peak of its own.
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
        var sums = new SortedDictionary<long, (double Sum, double Raw, int Count)>();
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
                var (sum, raw, count) = sums.GetValueOrDefault(change.Steps[i]);
                sums[change.Steps[i]] = (sum + v / max, raw + v, count + 1);
            }
        }
        if (used.Count == 0 || sums.Count < 1) return null;
        return new SimilarityDropCurve(used, sums.Keys.ToArray(), sums.Values.Select(s => s.Sum / s.Count).ToArray(), first!.Value, last!.Value)
        {
            RawValues = sums.Values.Select(s => s.Raw / s.Count).ToArray(),
        };
    }

    /// <summary>
    /// The bursts of the curve: peaks of the change per unit of <paramref name="axis"/> that stand out from the curve
    /// (prominence at least <paramref name="significanceZ"/> × its robust noise level, <see cref="NoiseScale"/>), hold at
    /// least <paramref name="relativeFloor"/> of the run's whole change (the change above the peak's prominence base,
    /// summed over the burst: the checkpoints around the peak where the rate stays above half its prominence), and move the representation by at least
    /// <paramref name="absoluteFloor"/> (the same sum in the measure's raw units, mean over layers), at least
    /// <paramref name="minDistance"/> checkpoints apart. Every candidate peak is returned with its numbers.
    /// </summary>
    public static IReadOnlyList<SimilarityBurst> Bursts(SimilarityDropCurve curve, TimeAxis axis, double relativeFloor, double significanceZ,
        double absoluteFloor, int minDistance)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(axis);
        int n = curve.Values.Count;
        if (n < 3) return [];
        // Each value covers the interval from the previous checkpoint of the curve (the coverage start for the first).
        var gaps = new double[n];
        for (int i = 0; i < n; i++)
        {
            long previous = i == 0 ? curve.CoverageStart : curve.Steps[i - 1];
            gaps[i] = Math.Max(axis.Position(curve.Steps[i]) - axis.Position(previous), 1e-12);
        }
        var density = curve.Values.Select((v, i) => v / gaps[i]).ToArray();
        double noise = NoiseScale.Estimate(Signals.FromSeries(density))[0];
        double total = curve.Values.Sum(), rawTotal = curve.RawValues?.Sum() ?? double.NaN;
        var bursts = new List<SimilarityBurst>();
        foreach (int peak in ProminentPeaks.Find(density, significanceZ * noise, minDistance))
        {
            // The burst: the checkpoints around the peak where the rate stays above half its prominence (scipy's peak width
            // at relative height 0.5); its mass is the change above the prominence base there.
            double prominence = ProminentPeaks.Prominence(density, peak);
            double baseLevel = density[peak] - prominence, half = baseLevel + prominence / 2;
            int left = peak, right = peak;
            while (left > 0 && density[left - 1] >= half) left--;
            while (right < n - 1 && density[right + 1] >= half) right++;
            double mass = 0, raw = 0;
            for (int j = left; j <= right; j++)
            {
                double excess = Math.Max(0, density[j] - baseLevel) * gaps[j];
                mass += excess;
                if (curve.RawValues is { } rv && curve.Values[j] > 0) raw += excess * rv[j] / curve.Values[j];
            }
            double share = total > 0 ? mass / total : 0;
            bool kept = share >= relativeFloor && (curve.RawValues is null || raw >= absoluteFloor);
            bursts.Add(new SimilarityBurst(curve.Steps[peak], prominence, share, curve.RawValues is null ? double.NaN : raw, kept));
        }
        return bursts;
    }
}

/// <summary>A peak of the similarity change rate and whether it counts as a transition.</summary>
/// <param name="Step">The checkpoint after the fastest change.</param>
/// <param name="Prominence">The peak's prominence in change per unit of the time coordinate.</param>
/// <param name="Share">The fraction of the run's whole (normalised) change the burst holds.</param>
/// <param name="RawChange">The burst's change in the measure's raw units (1 − CKA, summed over its intervals, mean over layers).</param>
/// <param name="Kept">Whether it cleared the floors.</param>
public sealed record SimilarityBurst(long Step, double Prominence, double Share, double RawChange, bool Kept);

/// <summary>The mean normalized adjacent-step change of several layers.</summary>
/// <param name="Layers">The layers averaged, with the measure used for each.</param>
/// <param name="Steps">Each value's checkpoint: the later one of its interval (the run's first checkpoint has none).</param>
/// <param name="Values">Mean over layers of the change from the previous checkpoint, each layer divided by its largest change.</param>
/// <param name="CoverageStart">The first checkpoint the matrices cover.</param>
/// <param name="CoverageEnd">The last checkpoint the matrices cover.</param>
public sealed record SimilarityDropCurve(IReadOnlyList<(string Layer, string Measure)> Layers, IReadOnlyList<long> Steps,
    IReadOnlyList<double> Values, long CoverageStart, long CoverageEnd)
{
    /// <summary>Mean over layers of the raw change (1 − similarity, or the distance), not normalised; null when unknown.</summary>
    public IReadOnlyList<double>? RawValues { get; init; }
}
