namespace DevInterp.Similarity;

/// <summary>Result of <see cref="MinibatchCka.Result"/>.</summary>
/// <param name="Value">Σ_b HSIC₁(K_b, L_b) / √(Σ_b HSIC₁(K_b, K_b) · Σ_b HSIC₁(L_b, L_b)).</param>
/// <param name="Batches">Number of minibatches accumulated.</param>
/// <param name="Samples">Total number of samples over all minibatches.</param>
public sealed record MinibatchCkaResult(double Value, int Batches, long Samples);
