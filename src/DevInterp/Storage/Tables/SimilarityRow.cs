namespace DevInterp.Storage;

/// <summary>One row of <c>similarity</c>: one measure of one layer between the representations at two steps.</summary>
/// <param name="Layer">Hook point name (free text, may hold any Unicode).</param>
/// <param name="Measure">Measure name (<c>linear_cka</c>, <c>debiased_cka</c>, <c>cca</c>, <c>procrustes</c>...).</param>
/// <param name="StepA">Row step of the matrix entry.</param>
/// <param name="StepB">Column step (the table holds both orders and the diagonal).</param>
/// <param name="Value">The measure's value.</param>
public sealed record SimilarityRow(string Layer, string Measure, long StepA, long StepB, double Value) : IStoreRow<SimilarityRow>
{
    /// <summary>The <c>similarity</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "similarity",
        "one similarity measure of one layer between two checkpoints",
        "one layer and one measure: the whole step × step matrix, both orders and the diagonal (key: SimilarityPartKey.For)",
        [
            ColumnSpec.Utf8("layer", "hook point whose representations were compared"),
            ColumnSpec.Utf8("measure", "similarity measure (`linear_cka`, `debiased_cka`, `cca`, `procrustes`...)"),
            ColumnSpec.Int64("step_a", "row checkpoint of the matrix entry"),
            ColumnSpec.Int64("step_b", "column checkpoint (the table holds both orders and the diagonal)"),
            ColumnSpec.Float64("value", "the measure's value (NaN when undefined, e.g. a constant representation)"),
        ],
        ["layer", "measure", "step_a", "step_b"]);

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        w.Utf8("layer", Layer);
        w.Utf8("measure", Measure);
        w.Int64("step_a", StepA);
        w.Int64("step_b", StepB);
        w.Float64("value", Value);
    }

    /// <inheritdoc />
    public static SimilarityRow ReadFrom(RowReader r) =>
        new(r.Utf8("layer"), r.Utf8("measure"), r.Int64("step_a"), r.Int64("step_b"), r.Float64("value"));
}
