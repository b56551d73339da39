using DevInterp.Llc;

namespace DevInterp.Storage;

/// <summary>One row of <c>calibration</c>: one point of the step-size grid tried at one checkpoint.</summary>
/// <param name="Step">The checkpoint calibrated.</param>
/// <param name="StepSize">ε.</param>
/// <param name="NBeta">nβ.</param>
/// <param name="Localization">γ.</param>
/// <param name="Mean">λ̂ at this point.</param>
/// <param name="Std">Spread over chains.</param>
/// <param name="RHat">R̂.</param>
/// <param name="Drift">Relative drift over the second half.</param>
/// <param name="Verdict">The diagnostics' verdict.</param>
/// <param name="Diverged">A chain diverged.</param>
/// <param name="Passing">The chains passed the diagnostics.</param>
/// <param name="Stable">The estimate agrees with its passing neighbours on the grid.</param>
/// <param name="Chosen">This is the point the calibration chose.</param>
/// <param name="Acceptance">Mean acceptance rate (NaN for unadjusted samplers and older files).</param>
/// <param name="StandardError">Standard error of λ̂ at this point.</param>
/// <param name="VarOverMean">Var/mean of the draws.</param>
/// <param name="SpikeRatio">Largest draw over the largest of a Gamma(λ̂, 1) sample of the same size.</param>
/// <param name="Reasons">Why the point fails or disagrees, joined with "; " (empty when it passes and agrees).</param>
public sealed record CalibrationRow(long Step, double StepSize, double NBeta, double Localization, double Mean, double Std,
    double RHat, double Drift, LlcVerdict Verdict, bool Diverged, bool Passing, bool Stable, bool Chosen,
    double Acceptance = double.NaN, double StandardError = double.NaN, double VarOverMean = double.NaN, double SpikeRatio = double.NaN,
    string Reasons = "")
    : IStoreRow<CalibrationRow>
{
    /// <summary>The <c>calibration</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "calibration",
        "one (ε, nβ, γ) point of a step-size calibration at one checkpoint",
        "one calibrated checkpoint (key: PartKey.ForStep)",
        [
            ColumnSpec.Int64("step", "training step of the checkpoint calibrated"),
            ColumnSpec.Float64("step_size", "ε tried"),
            ColumnSpec.Float64("nbeta", "nβ tried"),
            ColumnSpec.Float64("localization", "γ tried"),
            ColumnSpec.Float64("mean", "λ̂ at this point"),
            ColumnSpec.Float64("std", "spread of the chains' estimates"),
            ColumnSpec.Float64("r_hat", "split R̂"),
            ColumnSpec.Float64("drift", "relative drift over the second half"),
            ColumnSpec.Utf8("verdict", "`trusted`, `doubtful` or `untrusted`"),
            ColumnSpec.Boolean("diverged", "a chain diverged"),
            ColumnSpec.Boolean("passing", "no divergence, λ̂ > 0, R̂ ≤ 1.1, no significant drift of λ̂, no spikes or excess scatter of the draws"),
            ColumnSpec.Boolean("stable", "agrees with its passing neighbours on the grid (within 3 combined standard errors)"),
            ColumnSpec.Boolean("chosen", "the point the calibration chose (one per checkpoint)"),
            ColumnSpec.Float64("acceptance", "mean acceptance rate of a Metropolis-adjusted sampler; NaN for unadjusted samplers"
                + " (added in DevInterp 0.2.0, like the columns after it: older files read as NaN or the empty string)").Later(),
            ColumnSpec.Float64("standard_error", "standard error of λ̂: the larger of the chain spread over √chains and the ESS-based error").Later(),
            ColumnSpec.Float64("var_over_mean", "Var/mean of the draws nβ(L − L*)").Later(),
            ColumnSpec.Float64("spike_ratio", "largest draw over the largest of a Gamma(λ̂, 1) sample of the same size").Later(),
            ColumnSpec.Utf8("reasons", "why the point fails or disagrees, joined with `; ` (empty when it passes and agrees)").Later(),
        ],
        ["step", "nbeta", "localization", "step_size"]);

    /// <summary>
    /// The grid of <paramref name="result"/> for the checkpoint at <paramref name="step"/>; the chosen point is the one
    /// with the chosen ε at the base <paramref name="nBeta"/> and <paramref name="localization"/>.
    /// </summary>
    public static IReadOnlyList<CalibrationRow> From(long step, CalibrationResult result, double nBeta, double localization)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Grid.Select(p => new CalibrationRow(step, p.StepSize, p.NBeta, p.Localization, p.Mean, p.Std, p.RHat,
            p.Drift, p.Verdict, p.Diverged, p.Passing, p.Stable,
            p.StepSize == result.Chosen && p.NBeta == nBeta && p.Localization == localization,
            p.Acceptance, p.StandardError, p.Dispersion, p.SpikeRatio, string.Join("; ", p.Reasons))).ToList();
    }

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        w.Int64("step", Step);
        w.Float64("step_size", StepSize);
        w.Float64("nbeta", NBeta);
        w.Float64("localization", Localization);
        w.Float64("mean", Mean);
        w.Float64("std", Std);
        w.Float64("r_hat", RHat);
        w.Float64("drift", Drift);
        w.Enum("verdict", Verdict);
        w.Boolean("diverged", Diverged);
        w.Boolean("passing", Passing);
        w.Boolean("stable", Stable);
        w.Boolean("chosen", Chosen);
        w.Float64("acceptance", Acceptance);
        w.Float64("standard_error", StandardError);
        w.Float64("var_over_mean", VarOverMean);
        w.Float64("spike_ratio", SpikeRatio);
        w.Utf8("reasons", Reasons);
    }

    /// <inheritdoc />
    public static CalibrationRow ReadFrom(RowReader r) => new(
        r.Int64("step"), r.Float64("step_size"), r.Float64("nbeta"), r.Float64("localization"), r.Float64("mean"),
        r.Float64("std"), r.Float64("r_hat"), r.Float64("drift"), r.Enum<LlcVerdict>("verdict"), r.Boolean("diverged"),
        r.Boolean("passing"), r.Boolean("stable"), r.Boolean("chosen"), r.Float64("acceptance"), r.Float64("standard_error"),
        r.Float64("var_over_mean"), r.Float64("spike_ratio"), r.Utf8("reasons"));
}
