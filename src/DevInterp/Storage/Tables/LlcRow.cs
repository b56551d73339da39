using DevInterp.Llc;

namespace DevInterp.Storage;

/// <summary>One row of <c>llc</c>: the LLC estimate at one checkpoint, with its settings and diagnostics.</summary>
/// <param name="Step">Training step of the checkpoint.</param>
/// <param name="Mean">λ̂, the mean over healthy chains.</param>
/// <param name="Std">Spread of the healthy chains' estimates (NaN with one chain).</param>
/// <param name="ChainEstimates">Each chain's estimate, NaN for dropped chains.</param>
/// <param name="LossAtCenter">L(w*).</param>
/// <param name="NBeta">nβ.</param>
/// <param name="StepSize">ε.</param>
/// <param name="StepSizeSource"><c>given</c> or <c>calibrated</c>.</param>
/// <param name="Localization">γ.</param>
/// <param name="SampleCount">Training-set size n.</param>
/// <param name="Dimension">Sampled parameters.</param>
/// <param name="BatchSize">Minibatch size.</param>
/// <param name="Draws">Draws per chain.</param>
/// <param name="Chains">Chains run.</param>
/// <param name="RHat">Split R̂.</param>
/// <param name="BulkEss">Bulk ESS.</param>
/// <param name="TailEss">Tail ESS.</param>
/// <param name="Drift">Relative drift over the second half.</param>
/// <param name="Spread">Relative rise of ‖w − w*‖² over the second half.</param>
/// <param name="NegativeFraction">Fraction of draws below L(w*).</param>
/// <param name="DroppedChains">Chains dropped for divergence.</param>
/// <param name="Verdict">trusted, doubtful or untrusted.</param>
/// <param name="Reasons">The verdict's reasons joined with "; " (empty when trusted).</param>
/// <param name="Sampler">The sampler.</param>
/// <param name="Seed">The seed.</param>
/// <param name="ElapsedSeconds">Wall-clock time of the estimate.</param>
/// <param name="Acceptance">Mean acceptance rate of the healthy chains (NaN for unadjusted samplers and older files).</param>
/// <param name="VarOverMean">Var/mean of the pooled draws nβ(L − L*) (≈ 1 without spikes).</param>
/// <param name="MaxOverMedian">max/median of the pooled draws.</param>
/// <param name="SpikeRatio">Largest draw over the largest of a Gamma(λ̂, 1) sample of the same size.</param>
/// <param name="GradientNorm">‖∇L(w*)‖ on the full training set (NaN for older files).</param>
/// <param name="Reading">What the value means: local minimum, localized or untrusted (<see cref="LlcReading"/>; null for older files).</param>
/// <param name="ReadingReason">Why, in words.</param>
public sealed record LlcRow(
    long Step, double Mean, double Std, IReadOnlyList<double> ChainEstimates, double LossAtCenter, double NBeta,
    double StepSize, string StepSizeSource, double Localization, long SampleCount, long Dimension, long BatchSize,
    int Draws, int Chains, double RHat, double BulkEss, double TailEss, double Drift, double Spread, double NegativeFraction,
    int DroppedChains, LlcVerdict Verdict, string Reasons, SamplerKind Sampler, long Seed, double ElapsedSeconds,
    double Acceptance = double.NaN, double VarOverMean = double.NaN, double MaxOverMedian = double.NaN, double SpikeRatio = double.NaN,
    double GradientNorm = double.NaN, LlcReading? Reading = null, string ReadingReason = "")
    : IStoreRow<LlcRow>
{
    /// <summary>The <c>llc</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "llc",
        "the LLC estimate at one checkpoint",
        "one checkpoint (key: PartKey.ForStep)",
        [
            ColumnSpec.Int64("step", "training step of the checkpoint"),
            ColumnSpec.Float64("mean", "λ̂: mean of the healthy chains' estimates (NaN when no chain survived)"),
            ColumnSpec.Float64("std", "standard deviation of the healthy chains' estimates (NaN with fewer than 2)"),
            ColumnSpec.Float64List("chain_estimates", "each chain's estimate nβ·(mean loss − mean center loss − mean control variate), NaN for a dropped chain; one entry per chain"),
            ColumnSpec.Float64("loss_at_center", "L(w*), the loss at the checkpoint's weights, averaged over the draws' batches"),
            ColumnSpec.Float64("nbeta", "inverse temperature nβ"),
            ColumnSpec.Float64("step_size", "sampler step size ε"),
            ColumnSpec.Utf8("step_size_source", "`given`, `run` (the run-level search), `run_fallback` or `calibrated`"),
            ColumnSpec.Float64("localization", "γ, strength of the pull back to w*"),
            ColumnSpec.Int64("sample_count", "training-set size n"),
            ColumnSpec.Int64("dimension", "number of sampled parameter values"),
            ColumnSpec.Int64("batch_size", "minibatch size (n in full-batch mode)"),
            ColumnSpec.Int64("draws", "draws kept per chain"),
            ColumnSpec.Int64("chains", "chains run, healthy or not"),
            ColumnSpec.Float64("r_hat", "rank-normalized split R̂ of the λ traces (NaN with fewer than 2 healthy chains or 4 draws)"),
            ColumnSpec.Float64("bulk_ess", "bulk effective sample size"),
            ColumnSpec.Float64("tail_ess", "tail effective sample size"),
            ColumnSpec.Float64("drift", "change of the chain-averaged λ trace over its second half, relative to λ̂"),
            ColumnSpec.Float64("spread", "change of the chains' mean ‖w − w*‖² over the second half, relative to its mean (large: the chains are still spreading away from w*); NaN when not recorded"
                + " (added in DevInterp 0.1.1: files written before it lack the column, which then reads as NaN)").Later(),
            ColumnSpec.Float64("acceptance", "mean over the healthy chains of the fraction of proposals a Metropolis-adjusted sampler accepted; NaN for unadjusted samplers"
                + " (added in DevInterp 0.2.0, like the three columns after it: older files read as NaN)").Later(),
            ColumnSpec.Float64("var_over_mean", "Var/mean of the pooled draws nβ(L − L*): ≈ 1 for chains sampling the posterior near a minimum, far above with spikes").Later(),
            ColumnSpec.Float64("max_over_median", "max/median of the pooled draws nβ(L − L*)").Later(),
            ColumnSpec.Float64("spike_ratio", "largest draw over the largest of a Gamma(λ̂, 1) sample of the same size (≈ 1 without spikes)").Later(),
            ColumnSpec.Float64("grad_norm", "‖∇L(w*)‖ on the full training set (added in DevInterp 0.3.0, like the two columns after it: older files read as NaN or the empty string)").Later(),
            ColumnSpec.Utf8("reading", "what the value means: `local_minimum` (λ̂ estimates λ), `localized` (w* is not a minimum: a localized value, comparable within the run) or `untrusted`").Later(),
            ColumnSpec.Utf8("reading_reason", "why, in words").Later(),
            ColumnSpec.Float64("negative_fraction", "fraction of draws with a loss below L(w*)"),
            ColumnSpec.Int64("dropped_chains", "chains dropped for divergence"),
            ColumnSpec.Utf8("verdict", "`trusted`, `doubtful` or `untrusted`"),
            ColumnSpec.Utf8("reasons", "the verdict's reasons joined with `; ` (empty when trusted)"),
            ColumnSpec.Utf8("sampler", "`mala`, `sgld`, `rmsprop_sgld` or `sgnht`"),
            ColumnSpec.Int64("seed", "seed of all randomness"),
            ColumnSpec.Float64("elapsed_seconds", "wall-clock time of the estimate, seconds"),
        ],
        ["step"]);

    /// <summary>The row for an estimate at <paramref name="step"/> that took <paramref name="elapsedSeconds"/>.</summary>
    public static LlcRow From(long step, LlcResult result, double elapsedSeconds, double gradientNorm = double.NaN, double descentDrop = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(result);
        var d = result.Diagnostics;
        int draws = result.LossTraces.Count == 0 ? 0 : result.LossTraces.Max(t => t.Length);
        var reading = LlcReadings.Classify(result.Mean, d.Verdict, result.NBeta, gradientNorm, descentDrop);
        return new LlcRow(step, result.Mean, result.Std, result.PerChain.ToArray(), result.LossAtCenter, result.NBeta,
            result.StepSize, result.StepSizeSource, result.Localization, result.SampleCount, result.Dimension, result.BatchSize,
            draws, result.PerChain.Count, d.RHat, d.BulkEss, d.TailEss, d.Drift, d.Spread, d.NegativeFraction, d.Dropped.Count,
            d.Verdict, string.Join("; ", d.Reasons), result.Options.Sampler, result.Options.Seed, elapsedSeconds,
            d.Acceptance, d.Dispersion, d.PeakRatio, d.SpikeRatio, gradientNorm)
        {
            Reading = reading.Reading, ReadingReason = reading.Reason,
        };
    }

    /// <inheritdoc />
    public void WriteTo(RowWriter w)
    {
        w.Int64("step", Step);
        w.Float64("mean", Mean);
        w.Float64("std", Std);
        w.Float64List("chain_estimates", ChainEstimates);
        w.Float64("loss_at_center", LossAtCenter);
        w.Float64("nbeta", NBeta);
        w.Float64("step_size", StepSize);
        w.Utf8("step_size_source", StepSizeSource);
        w.Float64("localization", Localization);
        w.Int64("sample_count", SampleCount);
        w.Int64("dimension", Dimension);
        w.Int64("batch_size", BatchSize);
        w.Int64("draws", Draws);
        w.Int64("chains", Chains);
        w.Float64("r_hat", RHat);
        w.Float64("bulk_ess", BulkEss);
        w.Float64("tail_ess", TailEss);
        w.Float64("drift", Drift);
        w.Float64("spread", Spread);
        w.Float64("acceptance", Acceptance);
        w.Float64("var_over_mean", VarOverMean);
        w.Float64("max_over_median", MaxOverMedian);
        w.Float64("spike_ratio", SpikeRatio);
        w.Float64("grad_norm", GradientNorm);
        w.Utf8("reading", Reading is { } reading ? StoreEnums.Format(reading) : "");
        w.Utf8("reading_reason", ReadingReason);
        w.Float64("negative_fraction", NegativeFraction);
        w.Int64("dropped_chains", DroppedChains);
        w.Enum("verdict", Verdict);
        w.Utf8("reasons", Reasons);
        w.Enum("sampler", Sampler);
        w.Int64("seed", Seed);
        w.Float64("elapsed_seconds", ElapsedSeconds);
    }

    /// <inheritdoc />
    public static LlcRow ReadFrom(RowReader r) => new(
        r.Int64("step"), r.Float64("mean"), r.Float64("std"), r.Float64List("chain_estimates"), r.Float64("loss_at_center"),
        r.Float64("nbeta"), r.Float64("step_size"), r.Utf8("step_size_source"), r.Float64("localization"),
        r.Int64("sample_count"), r.Int64("dimension"), r.Int64("batch_size"), r.Int32("draws"), r.Int32("chains"),
        r.Float64("r_hat"), r.Float64("bulk_ess"), r.Float64("tail_ess"), r.Float64("drift"), r.Float64("spread"), r.Float64("negative_fraction"),
        r.Int32("dropped_chains"), r.Enum<LlcVerdict>("verdict"), r.Utf8("reasons"), r.Enum<SamplerKind>("sampler"),
        r.Int64("seed"), r.Float64("elapsed_seconds"), r.Float64("acceptance"), r.Float64("var_over_mean"),
        r.Float64("max_over_median"), r.Float64("spike_ratio"), r.Float64("grad_norm"),
        r.Utf8("reading") is { Length: > 0 } reading ? StoreEnums.TryParse<LlcReading>(reading) : null, r.Utf8("reading_reason"));
}
