using DevInterp.Dynamics;
using DevInterp.Numerics;

namespace DevInterp.Storage;

/// <summary>Which essential-dynamics trajectory a coordinate belongs to.</summary>
public enum TrajectoryKind
{
    /// <summary>The PCA scores of the checkpoints.</summary>
    Raw,
    /// <summary>The smoothed trajectory the curvature is measured on.</summary>
    Smoothed,
}

/// <summary>One row of <c>essential_dynamics</c>: one coordinate of one checkpoint on one principal component.</summary>
/// <param name="Kind">Raw or smoothed trajectory.</param>
/// <param name="Step">Checkpoint step.</param>
/// <param name="Component">Principal component, from 1 (PC1).</param>
/// <param name="Value">The coordinate.</param>
public sealed record DynamicsCoordinateRow(TrajectoryKind Kind, long Step, int Component, double Value) : IStoreRow<DynamicsCoordinateRow>
{
    /// <summary>The <c>essential_dynamics</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "essential_dynamics",
        "one coordinate of one checkpoint on one principal component of the output trajectory",
        "the whole analysis (key: PartKey.Whole)",
        [
            ColumnSpec.Utf8("kind", "`raw` (PCA scores) or `smoothed` (the trajectory the curvature is measured on)"),
            ColumnSpec.Int64("step", "checkpoint step"),
            ColumnSpec.Int64("component", "principal component, from 1 (PC1)"),
            ColumnSpec.Float64("value", "coordinate on that component"),
        ],
        ["kind", "step", "component"]);

    /// <summary>The raw and smoothed trajectories of <paramref name="result"/>.</summary>
    public static IReadOnlyList<DynamicsCoordinateRow> From(EssentialDynamicsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Rows(TrajectoryKind.Raw, result.Steps, result.Pca.Scores).Concat(Rows(TrajectoryKind.Smoothed, result.Steps, result.Smoothed)).ToList();
    }

    private static IEnumerable<DynamicsCoordinateRow> Rows(TrajectoryKind kind, IReadOnlyList<long> steps, ReadOnlyMatrix m)
    {
        if (m.Rows != steps.Count)
            throw new ArgumentException($"essential dynamics: {m.Rows} {kind.ToString().ToLowerInvariant()} rows for {steps.Count} steps");
        for (int t = 0; t < m.Rows; t++)
            for (int k = 0; k < m.Columns; k++)
                yield return new DynamicsCoordinateRow(kind, steps[t], k + 1, m[t, k]);
    }

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        w.Enum("kind", Kind);
        w.Int64("step", Step);
        w.Int64("component", Component);
        w.Float64("value", Value);
    }

    /// <inheritdoc />
    public static DynamicsCoordinateRow ReadFrom(RowReader r) =>
        new(r.Enum<TrajectoryKind>("kind"), r.Int64("step"), r.Int32("component"), r.Float64("value"));
}
