namespace DevInterp.Llc;

/// <summary>How SGLD discretizes Langevin dynamics (docs/llc.md, "Samplers").</summary>
public enum LangevinIntegrator
{
    /// <summary>
    /// Leimkuhler–Matthews: w ← w − ε/2·∇U(w) + √ε·(ξ_t + ξ_{t−1})/2, each Gaussian draw shared by two consecutive steps
    /// (Leimkuhler &amp; Matthews 2013). Same cost as Euler, but its stationary distribution is exact for Gaussian
    /// targets at any stable step size and second-order accurate otherwise, where Euler's is biased by O(ε).
    /// </summary>
    LeimkuhlerMatthews,
    /// <summary>Euler–Maruyama, the classic SGLD update w ← w − ε/2·∇U(w) + √ε·ξ_t (as in the Python devinterp library).</summary>
    EulerMaruyama,
}
