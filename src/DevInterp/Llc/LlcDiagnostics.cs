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
/// moving away from w* (NaN when not recorded).
/// </param>
public sealed record LlcDiagnostics(double RHat, double BulkEss, double TailEss, double Drift, double NegativeFraction,
    IReadOnlyList<DroppedChain> Dropped, LlcVerdict Verdict, IReadOnlyList<string> Reasons, double Spread = double.NaN)
{
    /// <summary>R̂ above this makes an estimate doubtful.</summary>
    public const double RHatDoubtful = 1.1;
    /// <summary>R̂ above this makes an estimate untrusted.</summary>
    public const double RHatUntrusted = 1.3;
    /// <summary>Bulk ESS below this makes an estimate doubtful.</summary>
    public const double EssDoubtful = 100;
    /// <summary>Relative drift above this (and above two standard errors) makes an estimate doubtful.</summary>
    public const double DriftDoubtful = 0.1;
    /// <summary>A relative rise of ‖w − w*‖² above this over the second half (and above two standard errors) makes an estimate doubtful.</summary>
    public const double SpreadDoubtful = 0.1;
    /// <summary>A negative-excursion fraction above this makes an estimate doubtful.</summary>
    public const double NegativeDoubtful = 0.3;
    /// <summary>A negative-excursion fraction above this makes an estimate untrusted.</summary>
    public const double NegativeUntrusted = 0.5;

    /// <summary>The reasons joined into one sentence ("trusted" when there are none).</summary>
    public string Summary => Reasons.Count == 0 ? "trusted: all diagnostics passed" :
        $"{Verdict.ToString().ToLowerInvariant()}: {string.Join("; ", Reasons)}";
}
