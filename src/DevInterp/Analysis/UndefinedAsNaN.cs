using DevInterp.Similarity;
using MathNet.Numerics.LinearAlgebra;

namespace DevInterp.Analysis;

/// <summary>
/// A measure whose "undefined for these inputs" errors (constant representation, too few samples for CCA) become NaN,
/// so that one degenerate checkpoint leaves NaN in its row and column of the step × step matrix instead of stopping
/// the layer. The inputs of a run analysis always have matching rows, so the only errors left are degeneracies.
/// </summary>
internal sealed class UndefinedAsNaN(ISimilarityMeasure inner) : ISimilarityMeasure
{
    public string Name => inner.Name;

    public bool IsDistance => inner.IsDistance;

    public double Compute(Matrix<double> x, Matrix<double> y)
    {
        try
        {
            return inner.Compute(x, y);
        }
        catch (ArgumentException)
        {
            return double.NaN;
        }
    }
}
