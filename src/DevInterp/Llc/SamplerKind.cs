namespace DevInterp.Llc;

/// <summary>The SGMCMC samplers available for LLC estimation (update rules in docs/llc.md).</summary>
public enum SamplerKind
{
    /// <summary>
    /// Metropolis-adjusted Langevin (Roberts &amp; Tweedie 1996): exact for the posterior at any step size with full-batch
    /// gradients; with minibatches, SGLD with control variates whose steps pass a Metropolis test on the step's batch.
    /// The default.
    /// </summary>
    Mala,
    /// <summary>Stochastic gradient Langevin dynamics with localization (Welling &amp; Teh 2011; Lau et al. 2023).</summary>
    Sgld,
    /// <summary>RMSProp-preconditioned SGLD (Li et al. 2016).</summary>
    RmspropSgld,
    /// <summary>Stochastic gradient Nosé–Hoover thermostat (Ding et al. 2014).</summary>
    Sgnht,
    /// <summary>
    /// Preconditioned Crank–Nicolson Langevin (Cotter et al. 2013): Metropolis-adjusted like MALA and exact for the same
    /// posterior, with a proposal that treats the localization exactly, so its steps are not limited by the many
    /// directions only the localization holds (docs/llc.md, "Samplers"). Needs γ &gt; 0 (MALA is used at γ = 0).
    /// </summary>
    Pcnl,
}
