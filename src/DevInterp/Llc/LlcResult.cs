namespace DevInterp.Llc;

/// <summary>An LLC estimate: λ̂ = nβ · (E_chain[L(w_t)] − L(w*)), with everything needed to judge it.</summary>
/// <param name="Mean">λ̂: the mean of the healthy chains' estimates.</param>
/// <param name="Std">Standard deviation of the healthy chains' estimates (NaN with one chain).</param>
/// <param name="PerChain">Each chain's estimate (NaN for dropped chains).</param>
/// <param name="LossAtCenter">L(w*) averaged over the draws' batches (the full-data loss in full-batch mode).</param>
/// <param name="NBeta">nβ used.</param>
/// <param name="StepSize">ε used.</param>
/// <param name="StepSizeSource"><c>given</c> or <c>calibrated</c>.</param>
/// <param name="Localization">γ used.</param>
/// <param name="SampleCount">Training-set size n.</param>
/// <param name="Dimension">Number of sampled parameter values.</param>
/// <param name="BatchSize">Minibatch size used (n in full-batch mode).</param>
/// <param name="LossTraces">Per chain, L(w_t) at every draw.</param>
/// <param name="CenterLossTraces">Per chain, L(w*) on the same batch as each draw.</param>
/// <param name="ControlVariateTraces">
/// Per chain, the zero-mean control variate (∇L_b(w*) − ∇L_n(w*))·(w_t − w*) subtracted from each minibatch draw
/// (zeros in full-batch mode).
/// </param>
/// <param name="Diagnostics">Convergence diagnostics and the verdict.</param>
/// <param name="Options">The options the estimate ran with.</param>
/// <param name="SpreadTraces">Per chain, ‖w_t − w*‖² over the sampled parameters at every draw (null when not recorded).</param>
/// <param name="Acceptance">
/// Per chain, a Metropolis-adjusted sampler's acceptance rate: the mean over the chain's draws of the acceptance in each
/// draw's window (null for unadjusted samplers).
/// </param>
/// <param name="AcceptanceTraces">
/// Per chain and draw, the fraction of proposals accepted in the draw's window: the steps between the previous draw and
/// this one (for the first draw, the same number of steps before it; NaN when there were none). Null for unadjusted
/// samplers.
/// </param>
/// <param name="DiscardedDraws">
/// Draws per chain dropped as further burn-in because λ̂ was still drifting (the two halves of the draws disagreed).
/// </param>
public sealed record LlcResult(
    double Mean,
    double Std,
    IReadOnlyList<double> PerChain,
    double LossAtCenter,
    double NBeta,
    double StepSize,
    string StepSizeSource,
    double Localization,
    long SampleCount,
    long Dimension,
    long BatchSize,
    IReadOnlyList<double[]> LossTraces,
    IReadOnlyList<double[]> CenterLossTraces,
    IReadOnlyList<double[]> ControlVariateTraces,
    LlcDiagnostics Diagnostics,
    LlcOptions Options,
    IReadOnlyList<double[]>? SpreadTraces = null,
    IReadOnlyList<double>? Acceptance = null,
    IReadOnlyList<double[]>? AcceptanceTraces = null,
    int DiscardedDraws = 0)
{
    /// <summary>Per chain, the per-draw λ contributions nβ·(L(w_t) − L(w*) − control variate) whose mean is the chain's estimate.</summary>
    public IReadOnlyList<double[]> LambdaTraces =>
        LossTraces.Select((t, c) => t.Select((l, i) => NBeta * (l - CenterLossTraces[c][i] - ControlVariateTraces[c][i])).ToArray()).ToList();
}
