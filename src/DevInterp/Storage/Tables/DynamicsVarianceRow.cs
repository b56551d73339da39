using DevInterp.Dynamics;

namespace DevInterp.Storage;

/// <summary>One row of <c>essential_dynamics_variance</c>: the variance one principal component explains.</summary>
/// <param name="Component">Principal component, from 1.</param>
/// <param name="ExplainedVariance">Variance along it, λᵢ/(T − 1).</param>
/// <param name="ExplainedVarianceRatio">Its share of the total variance.</param>
public sealed record DynamicsVarianceRow(int Component, double ExplainedVariance, double ExplainedVarianceRatio) : IStoreRow<DynamicsVarianceRow>
{
    /// <summary>The <c>essential_dynamics_variance</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "essential_dynamics_variance",
        "the variance one principal component of the trajectory explains",
        "the whole analysis (key: PartKey.Whole)",
        [
            ColumnSpec.Int64("component", "principal component, from 1 (PC1)"),
            ColumnSpec.Float64("explained_variance", "variance along the component, λᵢ/(T − 1)"),
            ColumnSpec.Float64("explained_variance_ratio", "the component's share of the total variance (all components)"),
        ],
        ["component"]);

    /// <summary>The kept components of <paramref name="result"/>.</summary>
    public static IReadOnlyList<DynamicsVarianceRow> From(EssentialDynamicsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Pca.ExplainedVarianceRatio
            .Select((ratio, k) => new DynamicsVarianceRow(k + 1, result.Pca.ExplainedVariance[k], ratio)).ToList();
    }

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        w.Int64("component", Component);
        w.Float64("explained_variance", ExplainedVariance);
        w.Float64("explained_variance_ratio", ExplainedVarianceRatio);
    }

    /// <inheritdoc />
    public static DynamicsVarianceRow ReadFrom(RowReader r) =>
        new(r.Int32("component"), r.Float64("explained_variance"), r.Float64("explained_variance_ratio"));
}
