using DevInterp.Llc.Potentials;
using static TorchSharp.torch;

namespace DevInterp.Tests.Llc;

/// <summary>
/// L(w) = Σ c·(w − w*)⁴/4 per coordinate, no data: a singular well (λ = ¼ per coordinate) whose tempered and localized
/// posterior is a product of one-dimensional densities, so 1-D quadrature gives the exact target. Used by the MALA and
/// pCNL tests.
/// </summary>
internal sealed class QuarticWell(int dimension, double curvature, long sampleCount, ScalarType dtype = ScalarType.Float64, double at = 0)
    : IFullBatchPotential
{
    public IReadOnlyList<SampledParameter> Parameters { get; } = [new SampledParameter("w", [dimension], 0)];
    public long Dimension => dimension;
    public long SampleCount => sampleCount;
    public Tensor Center { get; } = full([dimension], at, dtype: dtype);

    public Tensor Loss(Tensor weights, Tensor? batchIndices, Tensor? gradient)
    {
        using var scope = NewDisposeScope();
        var u = weights.sub(Center);
        var cube = u.pow(3);
        gradient?.copy_(cube.mul(curvature));
        return cube.mul(u).sum(1).mul(curvature / 4).MoveToOuterDisposeScope();
    }

    public void Dispose() => Center.Dispose();

    /// <summary>nβ·E[c·u⁴/4] under exp(−nβ·c·u⁴/4 − γu²/2), one coordinate, by quadrature (midpoint rule on u ≥ 0).</summary>
    public static double Quadrature(double nBeta, double curvature, double gamma)
    {
        // Out to where either term has made the density negligible: six quartic widths or twelve Gaussian ones.
        double range = Math.Min(6 * Math.Pow(nBeta * curvature, -0.25), 12 / Math.Sqrt(gamma));
        double z = 0, e = 0;
        const int m = 200_000;
        for (int i = 0; i < m; i++)
        {
            double u = range * (i + 0.5) / m;
            double k = nBeta * curvature * Math.Pow(u, 4) / 4;
            double p = Math.Exp(-k - gamma * u * u / 2);
            z += p;
            e += p * k;
        }
        return e / z;
    }
}
