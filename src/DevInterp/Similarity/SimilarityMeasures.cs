namespace DevInterp.Similarity;

/// <summary>The measures by name, with their default options.</summary>
public static class SimilarityMeasures
{
    /// <summary>Every measure with default options, in a fixed order.</summary>
    public static IReadOnlyList<ISimilarityMeasure> All { get; } =
    [
        new LinearCka(),
        new DebiasedCka(),
        new RbfCka(),
        new Cca(),
        new Cca(new CcaOptions(CcaSummary.MeanSquaredCorrelation)),
        new Svcca(),
        new Pwcca(),
        new OrthogonalProcrustes(),
        new OrthogonalProcrustes(new ProcrustesOptions(ProcrustesMetric.AngularDistance)),
        new Rsa(),
    ];

    /// <summary>The measure named <paramref name="name"/> (see <see cref="ISimilarityMeasure.Name"/>).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ISimilarityMeasure ByName(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"measure: unknown name '{name}' (known: {string.Join(", ", All.Select(m => m.Name))})", nameof(name));
}
