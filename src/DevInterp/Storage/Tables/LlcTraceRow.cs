using DevInterp.Llc;

namespace DevInterp.Storage;

/// <summary>One row of <c>llc_traces</c>: one draw of one chain at one checkpoint.</summary>
/// <param name="Step">Training step of the checkpoint.</param>
/// <param name="Chain">Chain index, from 0.</param>
/// <param name="Draw">Draw index after burn-in, from 0.</param>
/// <param name="Loss">L(w_t) on the draw's batch.</param>
/// <param name="CenterLoss">L(w*) on the same batch.</param>
/// <param name="ControlVariate">The zero-mean control variate subtracted from the draw (0 in full-batch mode).</param>
/// <param name="Lambda">nβ·(Loss − CenterLoss − ControlVariate): the draw's λ contribution.</param>
/// <param name="Acceptance">
/// Fraction of proposals accepted in the steps that led to this draw (Metropolis-adjusted samplers; NaN otherwise).
/// </param>
public sealed record LlcTraceRow(long Step, int Chain, int Draw, double Loss, double CenterLoss, double ControlVariate, double Lambda,
    double Acceptance = double.NaN)
    : IStoreRow<LlcTraceRow>
{
    /// <summary>The <c>llc_traces</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "llc_traces",
        "one draw of one chain of an LLC estimate",
        "one checkpoint (key: PartKey.ForStep)",
        [
            ColumnSpec.Int64("step", "training step of the checkpoint"),
            ColumnSpec.Int64("chain", "chain index, from 0"),
            ColumnSpec.Int64("draw", "draw index after burn-in, from 0"),
            ColumnSpec.Float64("loss", "L(w_t) on the draw's batch"),
            ColumnSpec.Float64("center_loss", "L(w*) on the same batch"),
            ColumnSpec.Float64("control_variate", "zero-mean control variate subtracted from the draw (0 in full-batch mode)"),
            ColumnSpec.Float64("lambda", "nβ·(loss − center_loss − control_variate): the draw's λ contribution; its mean over a chain is that chain's estimate"),
            ColumnSpec.Float64("acceptance", "fraction of proposals accepted in the steps since the previous draw (Metropolis-adjusted samplers; its mean over a chain is that chain's acceptance rate); NaN for unadjusted samplers"
                + " (added in DevInterp 0.2.0: older files read as NaN)").Later(),
        ],
        ["step", "chain", "draw"]);

    /// <summary>Every draw of every chain of <paramref name="result"/>, estimated at <paramref name="step"/>.</summary>
    public static IReadOnlyList<LlcTraceRow> From(long step, LlcResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<LlcTraceRow>();
        for (int c = 0; c < result.LossTraces.Count; c++)
        {
            double[] loss = result.LossTraces[c], center = result.CenterLossTraces[c], cv = result.ControlVariateTraces[c];
            double[]? acceptance = result.AcceptanceTraces?[c];
            for (int i = 0; i < loss.Length; i++)
                rows.Add(new LlcTraceRow(step, c, i, loss[i], center[i], cv[i], result.NBeta * (loss[i] - center[i] - cv[i]),
                    acceptance?[i] ?? double.NaN));
        }
        return rows;
    }

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        w.Int64("step", Step);
        w.Int64("chain", Chain);
        w.Int64("draw", Draw);
        w.Float64("loss", Loss);
        w.Float64("center_loss", CenterLoss);
        w.Float64("control_variate", ControlVariate);
        w.Float64("lambda", Lambda);
        w.Float64("acceptance", Acceptance);
    }

    /// <inheritdoc />
    public static LlcTraceRow ReadFrom(RowReader r) => new(
        r.Int64("step"), r.Int32("chain"), r.Int32("draw"), r.Float64("loss"), r.Float64("center_loss"),
        r.Float64("control_variate"), r.Float64("lambda"), r.Float64("acceptance"));
}
