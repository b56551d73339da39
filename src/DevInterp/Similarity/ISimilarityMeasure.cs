using MathNet.Numerics.LinearAlgebra;

namespace DevInterp.Similarity;

/// <summary>
/// A measure comparing two representations of the same probe batch: matrices with one row per sample (the same samples,
/// in the same order) and one column per feature; the two may have different numbers of features.
/// </summary>
public interface ISimilarityMeasure
{
    /// <summary>Short snake_case name used in tables and files, e.g. <c>linear_cka</c>.</summary>
    string Name { get; }

    /// <summary>
    /// True when the value is a distance (0 for identical representations, larger for more different ones); false when
    /// it is a similarity (larger for more similar ones).
    /// </summary>
    bool IsDistance { get; }

    /// <summary>The measure's headline value for <paramref name="x"/> and <paramref name="y"/> (samples × features).</summary>
    /// <exception cref="ArgumentException">The matrices have different numbers of rows, too few rows, non-finite
    /// entries, or are degenerate for this measure (the message says which).</exception>
    double Compute(Matrix<double> x, Matrix<double> y);
}
