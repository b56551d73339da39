namespace DevInterp.Llc.Validation;

/// <summary>
/// The exact target of the normal crossing y = w₁ᵃw₂ᵇ·x at w = 0 by 2-D quadrature: with noise orthogonal to the inputs,
/// L_n(w) − L_n(0) = c²·Sxx/(2σ²), c = w₁ᵃw₂ᵇ, Sxx the inputs' mean square, and the target is
/// nβ·E[L_n − L_n(0)] under exp(−nβ(L_n − L_n(0)) − γ/2·‖w‖²). The integrand is even in both coordinates, so the
/// quadrant w ≥ 0 suffices; the grid is sinh-spaced (dense near the axes, where the level sets are thin) out to
/// 8/√γ, far past the localization's reach. Two grid sizes give the error estimate.
/// </summary>
public static class NormalCrossingTarget
{
    /// <summary>The target for exponents a, b, mean input square <paramref name="inputSquare"/>, noise σ.</summary>
    public static ExactTarget Compute(int a, int b, double inputSquare, double sigma, double nBeta, double localization)
    {
        double fine = Integrate(a, b, inputSquare / (sigma * sigma), nBeta, localization, 3000);
        double coarse = Integrate(a, b, inputSquare / (sigma * sigma), nBeta, localization, 1500);
        return new ExactTarget(fine, Math.Abs(fine - coarse), "2-D quadrature");
    }

    private static double Integrate(int a, int b, double curvature, double nBeta, double gamma, int m)
    {
        if (!(gamma > 0)) throw new ArgumentException("the quadrature needs a localization γ > 0 (the posterior is not normalizable without it)");
        double range = 8 / Math.Sqrt(gamma), alpha = 12;
        var w = new double[m];
        var dw = new double[m];
        var pull = new double[m];
        for (int i = 0; i < m; i++)
        {
            double t = (i + 0.5) / m;
            w[i] = range * Math.Sinh(alpha * t) / Math.Sinh(alpha);
            dw[i] = range * alpha * Math.Cosh(alpha * t) / Math.Sinh(alpha) / m;
            pull[i] = Math.Exp(-gamma / 2 * w[i] * w[i]) * dw[i];
        }
        var first = w.Select(v => Math.Pow(v, 2 * a)).ToArray();
        var second = w.Select(v => Math.Pow(v, 2 * b)).ToArray();
        double z = 0, e = 0;
        for (int i = 0; i < m; i++)
        {
            double rowZ = 0, rowE = 0;
            for (int j = 0; j < m; j++)
            {
                double k = 0.5 * curvature * nBeta * first[i] * second[j];
                double p = Math.Exp(-k) * pull[j];
                rowZ += p;
                rowE += p * k;
            }
            z += rowZ * pull[i];
            e += rowE * pull[i];
        }
        return e / z;
    }
}
