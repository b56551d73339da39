using DevInterp.Numerics;
using DevInterp.Similarity;
using DevInterp.Similarity.Steps;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>The step × step matrix of one measure at one layer, as read back from the <c>similarity</c> table.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Matrix">The matrix; its <see cref="StepSimilarityMatrix.Adjacent"/>, <see cref="StepSimilarityMatrix.ToFinal"/>
/// and <see cref="StepSimilarityMatrix.ToInitial"/> are the curves the views plot.</param>
public sealed record LayerSimilarityMatrix(string Layer, StepSimilarityMatrix Matrix)
{
    /// <summary>The measure.</summary>
    public string Measure => Matrix.Measure;

    /// <summary>
    /// How much the representation changed between consecutive checkpoints, at the later one: 1 − value for a
    /// similarity (CKA, CCA, RSA), the value itself for a distance (Procrustes).
    /// </summary>
    public Similarity.Steps.StepCurve AdjacentChange()
    {
        var adjacent = Matrix.Adjacent();
        bool distance = SimilarityMatrices.IsDistance(Measure);
        return adjacent with
        {
            Description = distance ? "distance to the previous checkpoint" : "1 − similarity to the previous checkpoint",
            Values = adjacent.Values.Select(v => distance ? v : 1 - v).ToArray(),
        };
    }
}

/// <summary>Reads the <c>similarity</c> table back into step × step matrices.</summary>
public static class SimilarityMatrices
{
    /// <summary>Every layer's and measure's matrix in the store, ordered by layer then measure.</summary>
    public static IReadOnlyList<LayerSimilarityMatrix> Read(AnalysisStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return From(store.Read<SimilarityRow>());
    }

    /// <summary>
    /// Groups rows by layer and measure into matrices over the steps each group holds (ascending); an entry with no row
    /// is NaN. Only the rows given are used, so a reader can filter first.
    /// </summary>
    public static IReadOnlyList<LayerSimilarityMatrix> From(IEnumerable<SimilarityRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new List<LayerSimilarityMatrix>();
        foreach (var group in rows.GroupBy(r => (r.Layer, r.Measure)).OrderBy(g => g.Key.Layer, StringComparer.Ordinal).ThenBy(g => g.Key.Measure, StringComparer.Ordinal))
        {
            var steps = group.SelectMany(r => new[] { r.StepA, r.StepB }).Distinct().Order().ToArray();
            var index = steps.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
            int t = steps.Length;
            var values = Enumerable.Repeat(double.NaN, t * t).ToArray();
            foreach (var r in group) values[index[r.StepA] * t + index[r.StepB]] = r.Value;
            result.Add(new LayerSimilarityMatrix(group.Key.Layer, new StepSimilarityMatrix(group.Key.Measure, steps, new ReadOnlyMatrix(t, t, values))));
        }
        return result;
    }

    /// <summary>True for the measures that are distances (0 for identical representations): the Procrustes ones.</summary>
    public static bool IsDistance(string measure) =>
        SimilarityMeasures.All.FirstOrDefault(m => m.Name == measure)?.IsDistance ?? false;
}
