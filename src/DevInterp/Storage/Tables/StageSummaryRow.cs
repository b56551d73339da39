using DevInterp.Stages;
using DevInterp.Stages.Table;

namespace DevInterp.Storage;

/// <summary>One row of <c>stages</c>: one developmental stage of the combined stage table.</summary>
/// <param name="Stage">Position, from 0.</param>
/// <param name="StartStep">First step of the stage.</param>
/// <param name="EndStep">The next stage's start, or the last checkpoint.</param>
/// <param name="LlcTrend">Rising, falling or flat; null without an LLC curve over the stage.</param>
/// <param name="LlcChange">LLC(end) − LLC(start); null without an LLC curve.</param>
/// <param name="LossChange">Loss(end) − loss(start); null without a loss curve.</param>
/// <param name="Signals">Signals that put a boundary at the start (empty for the first stage); stored comma-separated.</param>
/// <param name="Confidence">Confidence of that boundary; null for the first stage.</param>
public sealed record StageSummaryRow(int Stage, long StartStep, long EndStep, StageTrend? LlcTrend, double? LlcChange,
    double? LossChange, IReadOnlyList<string> Signals, double? Confidence) : IStoreRow<StageSummaryRow>
{
    /// <summary>The <c>stages</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "stages",
        "one developmental stage, steps [start_step, end_step) (the last stage includes its end)",
        "the whole analysis (key: PartKey.Whole)",
        [
            ColumnSpec.Int64("stage", "position, from 0"),
            ColumnSpec.Int64("start_step", "first step of the stage"),
            ColumnSpec.Int64("end_step", "the next stage's start, or the run's last checkpoint"),
            ColumnSpec.Utf8("llc_trend", "`rising`, `falling` or `flat`, following the LLC values measured in the stage; null with fewer than two").OrNull(),
            ColumnSpec.Float64("llc_change", "the last LLC value measured in the stage minus the first (its own checkpoints); null with fewer than two").OrNull(),
            ColumnSpec.Float64("loss_change", "the last train loss measured in the stage minus the first (its own checkpoints); null with fewer than two").OrNull(),
            ColumnSpec.Utf8("signals", "signals that put a boundary at start_step, comma-separated (empty for the first stage)"),
            ColumnSpec.Float64("confidence", "confidence of the boundary at start_step; null for the first stage").OrNull(),
        ],
        ["stage"]);

    /// <summary>The stored form of a row of the combined stage table.</summary>
    public static StageSummaryRow From(StageRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new StageSummaryRow(row.Index, row.StartStep, row.EndStep, row.LlcTrend, row.LlcChange, row.LossChange, row.Signals.ToArray(), row.Confidence);
    }

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        var bad = Signals.FirstOrDefault(s => string.IsNullOrEmpty(s) || s.Contains(','));
        if (bad is not null) throw new ArgumentException($"stages, stage {Stage}: signal name '{bad}' is empty or holds a comma");
        w.Int64("stage", Stage);
        w.Int64("start_step", StartStep);
        w.Int64("end_step", EndStep);
        w.Enum("llc_trend", LlcTrend);
        w.Float64("llc_change", LlcChange);
        w.Float64("loss_change", LossChange);
        w.Utf8("signals", string.Join(",", Signals));
        w.Float64("confidence", Confidence);
    }

    /// <inheritdoc />
    public static StageSummaryRow ReadFrom(RowReader r)
    {
        string signals = r.Utf8("signals");
        return new StageSummaryRow(r.Int32("stage"), r.Int64("start_step"), r.Int64("end_step"), r.NullableEnum<StageTrend>("llc_trend"),
            r.NullableFloat64("llc_change"), r.NullableFloat64("loss_change"),
            signals.Length == 0 ? [] : signals.Split(','), r.NullableFloat64("confidence"));
    }
}
