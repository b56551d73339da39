namespace DevInterp.Similarity.Steps;

/// <summary>
/// Multiply-add counts of the two routes for T checkpoints of n samples × d factor columns (d ≤ n after reduction),
/// used by <see cref="StepSimilarityRoute.Auto"/>. Feature route: each of the T(T+1)/2 pairs costs an n·d·d product.
/// Gram route: per upper-triangular pair of the B = ⌈n/b⌉ sample blocks, T products b·d·b to form the Gram blocks
/// and one T·b²·T product for the inner products.
/// </summary>
internal static class StepRouteCost
{
    public static double Features(long t, long n, long d) => t * (t + 1) / 2.0 * n * d * d;

    public static double Gram(long t, long n, long d, int blockSize)
    {
        long b = Math.Min(blockSize, n);
        long blocks = (n + b - 1) / b;
        return blocks * (blocks + 1) / 2.0 * b * b * (t * (double)d + (double)t * t);
    }

    public static StepSimilarityRoute Choose(long t, long n, long d, StepSimilarityOptions options) =>
        Gram(t, n, d, options.GramBlockSize) < Features(t, n, d) ? StepSimilarityRoute.Gram : StepSimilarityRoute.Features;
}
