namespace DevInterp.Llc.Models;

/// <summary>
/// How batches of narrow vectors are laid out in memory for the chain models. A batch of B vectors of width F for C
/// chains is always a [C, B, F] tensor; when F is small it is stored feature-major (each feature's B values
/// contiguous), the layout the linear stacks compute in: libtorch's batched products and element-wise operations are
/// several times faster on long contiguous rows than on rows of a few values. <c>BatchedPotential</c> gathers narrow
/// inputs and targets this way, and <see cref="LinearChainStack"/> returns narrow outputs this way, so a loss meets
/// predictions and targets in the same layout.
/// </summary>
internal static class ChainLayout
{
    /// <summary>Vectors at most this wide are feature-major.</summary>
    public const long NarrowWidth = 64;

    /// <summary>True when vectors of this width are laid out feature-major.</summary>
    public static bool FeatureMajor(long width) => width <= NarrowWidth;
}
