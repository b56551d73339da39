namespace DevInterp.Llc;

/// <summary>The SGMCMC samplers available for LLC estimation (update rules in docs/llc.md).</summary>
public enum SamplerKind
{
    /// <summary>Stochastic gradient Langevin dynamics with localization (Welling &amp; Teh 2011; Lau et al. 2023).</summary>
    Sgld,
    /// <summary>RMSProp-preconditioned SGLD (Li et al. 2016).</summary>
    RmspropSgld,
    /// <summary>Stochastic gradient Nosé–Hoover thermostat (Ding et al. 2014).</summary>
    Sgnht,
}
