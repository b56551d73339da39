using DevInterp.Activations;
using DevInterp.Runs;
using DevInterp.Numerics;
using DevInterp.Similarity;
using DevInterp.Similarity.Steps;
using DevInterp.Storage;
using MathNet.Numerics.LinearAlgebra;

namespace DevInterp.Analysis;

/// <summary>
/// Representation similarity over a whole run: for every cached layer and every measure of the similarity settings,
/// the step × step matrix over the checkpoints that could be used, written to the <c>similarity</c> table as tidy rows
/// (layer, measure, step_a, step_b, value), the full square matrix (both orders and the diagonal), one part per layer
/// and measure (<see cref="SimilarityPartKey"/>). Linear and debiased CKA come from the step engine
/// (<see cref="StepSimilarityAccumulator"/>), every other measure from <see cref="PairwiseStepSimilarity"/>. The
/// adjacent-step, to-final and to-initial curves are not stored: they are rows, columns and the superdiagonal of the
/// matrix, derived by readers (<see cref="SimilarityMatrices"/>, <see cref="LayerSimilarityMatrix.AdjacentChange"/>).
/// Resumable like the LLC pass: each checkpoint's activations are cached once (<see cref="ActivationCache"/>, with its
/// <c>checkpoints</c> row), and a part whose matrix already covers exactly the usable checkpoints is kept, so a rerun
/// after a crash or cancellation redoes only what is missing and writes identical tables. A checkpoint that cannot be
/// used is recorded in <c>checkpoints</c> with its error and left out of the matrices; the rest are compared.
/// </summary>
public static class SimilarityRunAnalysis
{
    /// <summary>The measures the step engine computes (together, from one pass).</summary>
    public static IReadOnlyList<string> EngineMeasures { get; } = ["linear_cka", "debiased_cka"];

    /// <summary>Every measure name the analysis accepts.</summary>
    public static IReadOnlyList<string> KnownMeasures { get; } =
        [.. EngineMeasures, .. SimilarityMeasures.All.Select(m => m.Name).Where(n => !EngineMeasures.Contains(n))];

    /// <summary>
    /// Runs the analysis into <paramref name="store"/>'s folder (activation cache and similarity parts; the command
    /// consolidates). Progress: one unit per checkpoint captured, then one per layer compared.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown measure, or a layer pattern that matches no layer.</exception>
    public static SimilarityRunResult Run(AnalysisConfig config, Run run, AnalysisStore store, IProgress<AnalysisProgress>? progress = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(store);
        config.Similarity.Validate(); // settings errors are the run's, found before any checkpoint is read
        var measures = Measures(config.Similarity);
        int checkpointCount = run.Checkpoints.Count;
        double total = checkpointCount + 1; // layers are not known before the cache is filled; rescaled below
        var cache = ActivationCache.Fill(config, run, store, progress is null ? null : new InlineProgress<AnalysisProgress>(p =>
            progress.Report(new AnalysisProgress(p.Done, total, p.Step, "similarity: " + p.Activity))), cancel);
        var steps = cache.Steps;
        total = checkpointCount + cache.Layers.Count;
        int computed = 0, kept = 0;
        for (int l = 0; l < cache.Layers.Count; l++)
        {
            cancel.ThrowIfCancellationRequested();
            string layer = cache.Layers[l];
            progress?.Report(new AnalysisProgress(checkpointCount + l, total, null, $"similarity: comparing {layer}"));
            var pending = new List<string>();
            foreach (string measure in measures)
            {
                if (IsCurrent(store, SimilarityPartKey.For(layer, measure), steps)) kept++;
                else pending.Add(measure);
            }
            foreach (var matrix in Compute(store.Folder, layer, pending, steps))
            {
                store.Write(SimilarityPartKey.For(layer, matrix.Measure), Rows(layer, matrix));
                computed++;
            }
        }
        progress?.Report(new AnalysisProgress(total, total, null, "similarity: done"));
        var matrices = SimilarityMatrices.From(cache.Layers.SelectMany(layer => measures.SelectMany(m =>
            store.ReadPart<SimilarityRow>(SimilarityPartKey.For(layer, m)))));
        return new SimilarityRunResult(steps, cache.Layers, measures, cache.Failed, cache, computed, kept,
            matrices.Select(SimilaritySummary.Of).ToList());
    }

    /// <summary>The settings' measures, validated, without repeats.</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones).</exception>
    public static IReadOnlyList<string> Measures(SimilaritySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var result = new List<string>();
        foreach (string name in settings.EffectiveMeasures)
        {
            string m = name?.Trim().ToLowerInvariant() ?? "";
            if (!KnownMeasures.Contains(m)) settings.Validate(); // throws, naming every unknown measure
            if (!result.Contains(m)) result.Add(m);
        }
        return result;
    }

    /// <summary>A part is current when it holds the full matrix over exactly these steps.</summary>
    private static bool IsCurrent(AnalysisStore store, string key, IReadOnlyList<long> steps)
    {
        if (!store.HasPart<SimilarityRow>(key)) return false;
        var rows = store.ReadPart<SimilarityRow>(key);
        return rows.Count == steps.Count * steps.Count && rows.Select(r => r.StepA).Distinct().Order().SequenceEqual(steps);
    }

    private static IEnumerable<SimilarityRow> Rows(string layer, StepSimilarityMatrix m)
    {
        for (int i = 0; i < m.Steps.Count; i++)
            for (int j = 0; j < m.Steps.Count; j++)
                yield return new SimilarityRow(layer, m.Measure, m.Steps[i], m.Steps[j], m.Values[i, j]);
    }

    private static List<StepSimilarityMatrix> Compute(string folder, string layer, IReadOnlyList<string> measures, IReadOnlyList<long> steps)
    {
        var result = new List<StepSimilarityMatrix>();
        if (measures.Count == 0) return result;
        var engine = measures.Where(EngineMeasures.Contains).ToList();
        if (engine.Count > 0) result.AddRange(Engine(folder, layer, engine, steps));
        var pairwise = measures.Where(m => !EngineMeasures.Contains(m)).ToList();
        if (pairwise.Count > 0)
        {
            var features = steps.Select(step =>
            {
                using var t = ActivationCache.ReadLayer(folder, step, layer);
                return CapturedActivations.ToMatrix(t);
            }).ToList();
            foreach (string name in pairwise)
                result.Add(PairwiseStepSimilarity.Compute(new UndefinedAsNaN(SimilarityMeasures.ByName(name)), steps, features));
        }
        return result;
    }

    /// <summary>Linear and debiased CKA from the step engine; a checkpoint whose features have no variance gets NaN entries.</summary>
    private static IEnumerable<StepSimilarityMatrix> Engine(string folder, string layer, IReadOnlyList<string> measures, IReadOnlyList<long> steps)
    {
        var accumulator = new StepSimilarityAccumulator();
        foreach (long step in steps)
        {
            using var t = ActivationCache.ReadLayer(folder, step, layer);
            try
            {
                accumulator.Add(step, t);
            }
            catch (ArgumentException)
            {
                // Constant features: CKA with this checkpoint is undefined (NaN below).
            }
        }
        StepSimilarityResult? engine = accumulator.Count > 0 ? accumulator.Result() : null;
        foreach (string measure in measures)
        {
            var partial = measure == "linear_cka" ? engine?.LinearCka : engine?.DebiasedCka;
            yield return Expand(measure, partial, steps);
        }
    }

    /// <summary>A matrix over a subset of the steps placed in the full step × step matrix, NaN elsewhere.</summary>
    private static StepSimilarityMatrix Expand(string measure, StepSimilarityMatrix? partial, IReadOnlyList<long> steps)
    {
        int t = steps.Count;
        var values = Enumerable.Repeat(double.NaN, t * t).ToArray();
        if (partial is not null)
        {
            var index = steps.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
            for (int i = 0; i < partial.Steps.Count; i++)
                for (int j = 0; j < partial.Steps.Count; j++)
                    values[index[partial.Steps[i]] * t + index[partial.Steps[j]]] = partial.Values[i, j];
        }
        return new StepSimilarityMatrix(measure, steps.ToArray(), new ReadOnlyMatrix(t, t, values));
    }
}

/// <summary>What <see cref="SimilarityRunAnalysis.Run"/> computed.</summary>
/// <param name="Steps">Steps of the checkpoints compared, ascending.</param>
/// <param name="Layers">Layers compared.</param>
/// <param name="Measures">Measures computed.</param>
/// <param name="Failed">Checkpoints that could not be used, with the error (the command's exit code 3).</param>
/// <param name="Cache">What the activation cache did.</param>
/// <param name="PartsComputed">Layer × measure matrices computed in this call.</param>
/// <param name="PartsKept">Matrices already current in the store.</param>
/// <param name="Summaries">One line per layer and measure.</param>
public sealed record SimilarityRunResult(
    IReadOnlyList<long> Steps,
    IReadOnlyList<string> Layers,
    IReadOnlyList<string> Measures,
    IReadOnlyList<(long Step, string Error)> Failed,
    ActivationCacheResult Cache,
    int PartsComputed,
    int PartsKept,
    IReadOnlyList<SimilaritySummary> Summaries);

/// <summary>A one-line summary of one layer's matrix under one measure.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Measure">The measure.</param>
/// <param name="FirstToLast">The value between the first and the last checkpoint.</param>
/// <param name="LargestAdjacentChange">The largest change between consecutive checkpoints (1 − similarity, or the distance).</param>
/// <param name="LargestAdjacentChangeStep">The later step of that pair.</param>
public sealed record SimilaritySummary(string Layer, string Measure, double FirstToLast, double LargestAdjacentChange, long? LargestAdjacentChangeStep)
{
    /// <summary>The summary of a stored matrix.</summary>
    public static SimilaritySummary Of(LayerSimilarityMatrix m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var change = m.AdjacentChange();
        int best = -1;
        for (int i = 0; i < change.Values.Count; i++)
            if (double.IsFinite(change.Values[i]) && (best < 0 || change.Values[i] > change.Values[best])) best = i;
        int t = m.Matrix.Steps.Count;
        return new SimilaritySummary(m.Layer, m.Measure, m.Matrix.Values[0, t - 1],
            best < 0 ? double.NaN : change.Values[best], best < 0 ? null : change.Steps[best]);
    }
}
