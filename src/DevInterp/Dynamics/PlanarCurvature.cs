namespace DevInterp.Dynamics;

/// <summary>
/// Curvature of a discrete planar trajectory by three-point osculating circles: at each interior checkpoint the
/// circle through (pₜ₋₁, pₜ, pₜ₊₁) — its circumcircle — has signed curvature κ = 2·(a × b)/(|a|·|b|·|a + b|), a = pₜ − pₜ₋₁,
/// b = pₜ₊₁ − pₜ (Menger curvature). This is exact for points on a circle whatever their spacing, needs no
/// parametrization (steps may be uneven), and tends to the curvature of a smooth curve as sampling refines; the
/// devinterp reference instead uses central differences in the checkpoint index. Segments turning by less than
/// 1e-12 rad count as straight (κ = 0), so rounding noise does not make curvature out of straight lines.
/// </summary>
public static class PlanarCurvature
{
    private const double CollinearTolerance = 1e-12;

    /// <summary>The osculating circle at each interior point of the path (x[t], y[t]).</summary>
    public static IReadOnlyList<CurvaturePoint> Compute(IReadOnlyList<long> steps, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != steps.Count || y.Count != steps.Count)
            throw new ArgumentException($"x, y: expected {steps.Count} coordinates each (one per step), got {x.Count} and {y.Count}", nameof(x));
        for (int t = 0; t < steps.Count; t++)
            if (!double.IsFinite(x[t]) || !double.IsFinite(y[t]))
                throw new ArgumentException($"x, y: point {t} ({x[t]}, {y[t]}) is not finite", nameof(x));
        var result = new List<CurvaturePoint>(Math.Max(0, steps.Count - 2));
        for (int t = 1; t + 1 < steps.Count; t++)
            result.Add(At(t, steps[t], x[t - 1], y[t - 1], x[t], y[t], x[t + 1], y[t + 1]));
        return result;
    }

    private static CurvaturePoint At(int index, long step, double x0, double y0, double x1, double y1, double x2, double y2)
    {
        // Work relative to the middle point for accuracy.
        double ax = x1 - x0, ay = y1 - y0, bx = x2 - x1, by = y2 - y1;
        double la = Math.Sqrt(ax * ax + ay * ay), lb = Math.Sqrt(bx * bx + by * by);
        if (la == 0 || lb == 0) return new CurvaturePoint(index, step, double.NaN, double.NaN, double.NaN, double.NaN);
        double cross = ax * by - ay * bx, dot = ax * bx + ay * by;
        double angle = Math.Atan2(cross, dot) * 180 / Math.PI;
        if (Math.Abs(cross) <= CollinearTolerance * la * lb)
            return new CurvaturePoint(index, step, 0.0, Math.Abs(angle) > 90 ? 180.0 : 0.0, double.NaN, double.NaN);
        double cx = ax + bx, cy = ay + by, lc = Math.Sqrt(cx * cx + cy * cy);
        double kappa = 2 * cross / (la * lb * lc);
        // Circumcentre with the middle point at the origin: previous point P = −a, next point N = b.
        double px = -ax, py = -ay, d = 2 * (px * by - py * bx);
        double pp = px * px + py * py, nn = bx * bx + by * by;
        double ux = (pp * by - nn * py) / d, uy = (nn * px - pp * bx) / d;
        return new CurvaturePoint(index, step, kappa, angle, x1 + ux, y1 + uy);
    }
}
