namespace DevInterp.Llc;

/// <summary>Whose conventions an estimate follows (docs/llc.md, "Matching the devinterp library").</summary>
public enum LlcCompat
{
    /// <summary>DevInterp's own: the options as given.</summary>
    None,

    /// <summary>
    /// The Python library devinterp's SGLD (<c>SGLD</c> / <c>SGMCMC.sgld</c> with <c>estimate_learning_coeff</c>), so that
    /// numbers can be compared with published ones: Euler–Maruyama steps w ← w − ε/2·(nβ·∇L_b(w) + γ(w − w*)) + √ε·ξ
    /// with the gradient of the batch's mean loss and no control variates; nβ = m/ln m for batches of m samples (its
    /// <c>default_nbeta(loader)</c>) unless given; the full training set as the batch unless a batch size is given;
    /// L(w*) measured once on the full training set; exactly the requested draws per chain (no adaptive length);
    /// λ̂ = nβ·(mean over draws of L_b(w_t) − L(w*)) per chain, averaged over chains.
    /// </summary>
    Devinterp,
}
