namespace DevInterp.Llc;

/// <summary>How far an LLC estimate can be trusted.</summary>
public enum LlcVerdict
{
    /// <summary>Every diagnostic passed.</summary>
    Trusted,
    /// <summary>Some diagnostic is borderline: use with care (see the reasons).</summary>
    Doubtful,
    /// <summary>The estimate should not be used (see the reasons).</summary>
    Untrusted,
}

/// <summary>A chain dropped from an estimate, and why.</summary>
/// <param name="Chain">Chain index.</param>
/// <param name="Step">Sampler step at which it was found bad.</param>
/// <param name="Reason">"non-finite loss", "loss blow-up", ...</param>
public sealed record DroppedChain(int Chain, long Step, string Reason);

/// <summary>Diagnostics of one LLC estimate (definitions and thresholds in docs/llc.md).</summary>
/// <param name="RHat">Rank-normalized split R̂ of the per-draw λ traces across healthy chains (NaN with fewer than 2).</param>
/// <param name="BulkEss">Bulk effective sample size of those traces.</param>
/// <param name="TailEss">Tail effective sample size.</param>
/// <param name="Drift">Change of the chain-averaged λ trace over its second half (fitted slope × half length), relative to λ̂.</param>
/// <param name="NegativeFraction">Fraction of draws with L(w_t) below L(w*) on the same batch.</param>
/// <param name="Dropped">Chains dropped for divergence.</param>
/// <param name="Verdict">Trusted, doubtful or untrusted.</param>
/// <param name="Reasons">The reasons for the verdict, in words (empty when trusted).</param>
/// <param name="Spread">
/// Change of the chains' mean squared distance from w*, ‖w_t − w*‖², over the second half of the draws (fitted slope ×
/// half length), relative to its mean: near 0 once the chains fill the localized posterior, large while they are still
/// moving away from w* along flat directions (NaN when not recorded). Reported, not part of the verdict: λ̂ settles long
/// before ‖w − w*‖² does, and its own drift is what the verdict judges.
/// </param>
/// <param name="Acceptance">Mean over the healthy chains of the fraction of proposals accepted (NaN for unadjusted samplers).</param>
/// <param name="Dispersion">
/// Var/mean of the pooled draws z = nβ(L(w_t) − L(w*)) of the healthy chains: ≈ 1 when the chains sample the posterior
/// near a minimum (z is then about Gamma(λ, 1)), far above 1 with spikes (stiff-direction excursions). NaN when the mean
/// is not positive.
/// </param>
/// <param name="PeakRatio">max/median of the pooled draws (NaN when the median is not positive).</param>
/// <param name="SpikeRatio">
/// The largest pooled draw over the largest a Gamma(λ̂, 1) sample of the same size reaches (its 1 − 1/N quantile): ≈ 1
/// or below without spikes, far above with them. NaN when λ̂ is not positive.
/// </param>
/// <param name="ChainAcceptance">Per healthy chain, the acceptance rate (null for unadjusted samplers).</param>
/// <param name="ChainDispersion">Per healthy chain, Var/mean of its draws.</param>
/// <param name="ChainPeakRatio">Per healthy chain, max/median of its draws.</param>
public sealed record LlcDiagnostics(double RHat, double BulkEss, double TailEss, double Drift, double NegativeFraction,
    IReadOnlyList<DroppedChain> Dropped, LlcVerdict Verdict, IReadOnlyList<string> Reasons, double Spread = double.NaN,
    double Acceptance = double.NaN, double Dispersion = double.NaN, double PeakRatio = double.NaN, double SpikeRatio = double.NaN,
    IReadOnlyList<double>? ChainAcceptance = null, IReadOnlyList<double>? ChainDispersion = null,
    IReadOnlyList<double>? ChainPeakRatio = null)
{
    /// <summary>R̂ above this makes an estimate doubtful.</summary>
    public const double RHatDoubtful = 1.1;
    /// <summary>R̂ above this makes an estimate untrusted.</summary>
    public const double RHatUntrusted = 1.3;
    /// <summary>
    /// Below this bulk ESS an R̂ above <see cref="RHatUntrusted"/> makes an estimate doubtful, not untrusted: with fewer
    /// than about 4 effective draws per split half-chain (8 halves of 4 chains), R̂ reflects autocorrelation, not
    /// chains that sample different regions.
    /// </summary>
    public const double EssForRHat = 32;

    /// <summary>Bulk ESS below this makes an estimate doubtful.</summary>
    public const double EssDoubtful = 100;
    /// <summary>Relative drift above this (and above two standard errors) makes an estimate doubtful.</summary>
    public const double DriftDoubtful = 0.1;
    /// <summary>
    /// A relative rise of ‖w − w*‖² above this over the second half (and above two standard errors) is reported as
    /// spreading (a note, not a reason for doubt: see <see cref="Spread"/>).
    /// </summary>
    public const double SpreadNoted = 0.1;
    /// <summary>Var/mean of the draws above this makes a full-batch estimate doubtful (≈ 1 in the Gamma regime).</summary>
    public const double DispersionDoubtful = 3;
    /// <summary>
    /// Var/mean above this makes a minibatch estimate doubtful: the minibatch noise left after the control variate adds
    /// variance of order λ²/B to each draw, so healthy minibatch chains can sit well above 1.
    /// </summary>
    public const double DispersionDoubtfulMinibatch = 10;
    /// <summary>A largest draw this many times the largest of a Gamma(λ̂, 1) sample of the same size makes an estimate doubtful (spikes).</summary>
    public const double SpikeDoubtful = 3;
    /// <summary>An acceptance rate below this makes an estimate doubtful: the chains rarely move.</summary>
    public const double AcceptanceDoubtful = 0.1;
    /// <summary>A negative-excursion fraction above this makes an estimate doubtful.</summary>
    public const double NegativeDoubtful = 0.3;
    /// <summary>A negative-excursion fraction above this makes an estimate untrusted.</summary>
    public const double NegativeUntrusted = 0.5;

    /// <summary>The reasons joined into one sentence ("trusted" when there are none).</summary>
    public string Summary => Reasons.Count == 0 ? "trusted: all diagnostics passed" :
        $"{Verdict.ToString().ToLowerInvariant()}: {string.Join("; ", Reasons)}";
}
