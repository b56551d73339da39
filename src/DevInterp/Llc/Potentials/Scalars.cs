using TorchSharp;

namespace DevInterp.Llc.Potentials;

/// <summary>
/// Constant scalars made once for the per-step code. TorchSharp turns every number passed to an operation into a
/// native <see cref="Scalar"/> that only the finalizer frees (even <c>a.add(b)</c> makes one for alpha = 1); at tens
/// of operations per sampler step the finalizer thread became the largest single cost in a profile. Per-call values
/// go through <see cref="Of"/> inside a <c>using</c>.
/// </summary>
internal static class Scalars
{
    /// <summary>1.</summary>
    public static readonly Scalar One = 1.0.ToScalar();

    /// <summary>1 as an integer (integer tensors refuse a floating-point alpha).</summary>
    public static readonly Scalar IntegerOne = 1L.ToScalar();

    /// <summary>2 (TorchSharp's <c>square()</c> is <c>pow(2)</c> with a new scalar each call).</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary>−1.</summary>
    public static readonly Scalar MinusOne = (-1.0).ToScalar();

    /// <summary>½.</summary>
    public static readonly Scalar Half = 0.5.ToScalar();

    /// <summary>⅛.</summary>
    public static readonly Scalar Eighth = 0.125.ToScalar();

    /// <summary>−½.</summary>
    public static readonly Scalar MinusHalf = (-0.5).ToScalar();

    /// <summary>1/√2.</summary>
    public static readonly Scalar InverseSqrt2 = Math.Sqrt(0.5).ToScalar();

    /// <summary>1/√(2π).</summary>
    public static readonly Scalar InverseSqrt2Pi = (1 / Math.Sqrt(2 * Math.PI)).ToScalar();

    /// <summary>A scalar for one call; dispose it after the operation.</summary>
    public static Scalar Of(double value) => value.ToScalar();
}
