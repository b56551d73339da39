using DevInterp.Dynamics;

namespace DevInterp.Storage;

/// <summary>One row of <c>essential_dynamics_curvature</c>: the osculating circle of the smoothed PC1–PC2 path at one checkpoint.</summary>
/// <param name="Step">Checkpoint step (the first and last checkpoints have no circle).</param>
/// <param name="Curvature">Signed curvature κ (NaN where a neighbour coincides with the point).</param>
/// <param name="TurningAngleDegrees">Turning angle in (−180, 180].</param>
/// <param name="Radius">1/|κ| (+∞ on a straight stretch).</param>
/// <param name="CenterX">Circle centre, PC1 (NaN when κ is 0 or NaN).</param>
/// <param name="CenterY">Circle centre, PC2.</param>
/// <param name="Flagged">A candidate transition (sharp turn or cusp).</param>
/// <param name="Reason">Why it was flagged (<c>curvature_peak</c>, <c>direction_reversal</c>, comma-separated); null when not flagged.</param>
public sealed record DynamicsCurvatureRow(long Step, double Curvature, double TurningAngleDegrees, double Radius, double CenterX,
    double CenterY, bool Flagged, string? Reason) : IStoreRow<DynamicsCurvatureRow>
{
    /// <summary>The <c>essential_dynamics_curvature</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "essential_dynamics_curvature",
        "the osculating circle of the smoothed PC1–PC2 path at one checkpoint, and whether it is a candidate transition",
        "the whole analysis (key: PartKey.Whole)",
        [
            ColumnSpec.Int64("step", "checkpoint step (the first and last checkpoints have no circle)"),
            ColumnSpec.Float64("curvature", "signed curvature κ, positive turning left (NaN where a neighbour coincides with the point)"),
            ColumnSpec.Float64("turning_angle", "angle between incoming and outgoing displacement, degrees in (−180, 180]"),
            ColumnSpec.Float64("radius", "1/|κ| (+∞ on a straight stretch)"),
            ColumnSpec.Float64("center_x", "circle centre on PC1 (NaN when κ is 0 or NaN)"),
            ColumnSpec.Float64("center_y", "circle centre on PC2 (NaN when κ is 0 or NaN)"),
            ColumnSpec.Boolean("flagged", "a candidate transition: a sharp turn or a cusp"),
            ColumnSpec.Utf8("reason", "why flagged: `curvature_peak`, `direction_reversal`, comma-separated; null when not flagged").OrNull(),
        ],
        ["step"]);

    /// <summary>The curvature points of <paramref name="result"/>, flagged where it found a transition.</summary>
    public static IReadOnlyList<DynamicsCurvatureRow> From(EssentialDynamicsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var flagged = result.Transitions.ToDictionary(t => t.Step, t => t.Kind);
        return result.Curvature.Select(p =>
        {
            string? reason = flagged.TryGetValue(p.Step, out var kind) && kind != TransitionKind.None
                ? string.Join(",", Enum.GetValues<TransitionKind>().Where(k => k != TransitionKind.None && kind.HasFlag(k)).Select(StoreEnums.Format))
                : null;
            return new DynamicsCurvatureRow(p.Step, p.Curvature, p.TurningAngleDegrees, p.Radius, p.CenterX, p.CenterY, reason is not null, reason);
        }).ToList();
    }

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        if (Flagged != (Reason is not null))
            throw new ArgumentException($"essential_dynamics_curvature, step {Step}: a flagged point needs a reason and an unflagged one must not have one");
        w.Int64("step", Step);
        w.Float64("curvature", Curvature);
        w.Float64("turning_angle", TurningAngleDegrees);
        w.Float64("radius", Radius);
        w.Float64("center_x", CenterX);
        w.Float64("center_y", CenterY);
        w.Boolean("flagged", Flagged);
        w.Utf8("reason", Reason);
    }

    /// <inheritdoc />
    public static DynamicsCurvatureRow ReadFrom(RowReader r) => new(
        r.Int64("step"), r.Float64("curvature"), r.Float64("turning_angle"), r.Float64("radius"), r.Float64("center_x"),
        r.Float64("center_y"), r.Boolean("flagged"), r.NullableUtf8("reason"));
}
