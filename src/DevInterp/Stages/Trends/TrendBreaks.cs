using DevInterp.Stages.Search;

namespace DevInterp.Stages.Trends;

/// <summary>
/// Where a curve over training changes regime: it is cut into straight trends in the run's time coordinate
/// (<see cref="TimeAxis"/>; log step for log-spaced checkpoints), and a break between two trends is kept only when it is
/// large against the curve's own noise and scale. A plateau, a steady fall and a burst are each one trend, so breaks sit
/// at the onset and the end of every change a researcher would draw on the plot; a step inside one checkpoint interval is
/// one break (the trends may jump).
/// <list type="number">
/// <item>Candidates: PELT with the piecewise-linear cost (<see cref="LinearTrendCost"/>), at least
/// <see cref="TrendBreakOptions.MinSegmentSize"/> checkpoints per trend, penalty 3 ln T · σₚ² (a BIC: intercept, slope
/// and location per new trend) with σₚ the larger of the noise level and a quarter of the smallest change that could
/// count, so that the search proposes every change near the bar and rarely many more.</item>
/// <item>Noise model: each break's magnitude is how far the two fitted lines differ within the shorter trend's span of
/// it (|jump| + |slope change| × span). The weakest break below its bar — max(z × the standard error of that difference,
/// the relative floor × the curve's range, the absolute floor) — is removed and its neighbours refitted, until every
/// break clears its bar. A curve that merely decays smoothly, or moves by 10⁻⁶, keeps no break.</item>
/// <item>Kink, not curvature: near each break (the shorter trend's length on each side) two lines must fit with at most
/// <see cref="TrendBreakOptions.MaxSmoothFit"/> of the residual of one parabola, in the time coordinate and, when that is
/// not linear, in the step too: locally a smooth curve is a parabola, and a kink survives a smooth change of the time
/// coordinate while curvature does not.</item>
/// </list>
/// </summary>
public static class TrendBreaks
{
    /// <summary>
    /// Finds the breaks of <paramref name="values"/> at <paramref name="steps"/> (≥ 0, strictly increasing). The time
    /// coordinate is <paramref name="axis"/> (pass the run's, so every signal of a run shares it) or the steps' own
    /// (<see cref="TimeAxis.For"/>). When that axis is not linear, the curve is also segmented on the linear axis and the
    /// better description is kept: the smaller residual plus penalty per break (a curve that changes steadily with the
    /// step is one straight trend there, however the checkpoints are spaced). Ties go to the given axis.
    /// </summary>
    public static TrendBreakResult Find(IReadOnlyList<long> steps, IReadOnlyList<double> values, TrendBreakOptions? options = null, TimeAxis? axis = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(values);
        options ??= TrendBreakOptions.Default;
        options.Validate();
        if (steps.Count != values.Count) throw new ArgumentException($"values: {values.Count} values for {steps.Count} steps", nameof(values));
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i])) throw new ArgumentException($"values: value at step {steps[i]} is {values[i]}; expected a finite number", nameof(values));
        for (int i = 0; i < steps.Count; i++)
            if (steps[i] < 0 || (i > 0 && steps[i] <= steps[i - 1]))
                throw new ArgumentException($"steps: must be ≥ 0 and strictly increasing; {steps[i]} at index {i}", nameof(steps));
        axis ??= TimeAxis.For(steps);
        if (axis.IsLinear || steps.Count < 2 * options.MinSegmentSize) return FindOn(steps, values, options, axis, null).Result;
        var first = FindOn(steps, values, options, axis, TimeAxis.Linear);
        var linear = FindOn(steps, values, options, TimeAxis.Linear, axis);
        double sigma = Math.Max(first.Sigma, linear.Sigma);
        double penalty = 3 * Math.Log(steps.Count) * sigma * sigma;
        double Score((TrendBreakResult Result, double Residual, double Sigma) r) => r.Residual + penalty * r.Result.Breaks.Count;
        return Score(linear) < Score(first) - 1e-9 * (1 + Score(first)) ? linear.Result : first.Result;
    }

    // other: the second time coordinate a break must also be sharp on (a kink survives any smooth change of the time
    // coordinate, curvature does not); null for none.
    private static (TrendBreakResult Result, double Residual, double Sigma) FindOn(IReadOnlyList<long> steps, IReadOnlyList<double> values, TrendBreakOptions options, TimeAxis axis, TimeAxis? other)
    {
        var x = axis.Positions(steps);
        var otherX = other?.Positions(steps);
        int n = values.Count;
        double range = n == 0 ? 0 : values.Max() - values.Min();
        double noise = Math.Max(NoiseLevel.Estimate(x, values), options.NoiseFloor ?? 0);
        double floor = Math.Max(options.RelativeFloor * range, options.AbsoluteFloor);
        int minSize = options.MinSegmentSize;

        double sigma = Math.Max(noise, floor / 8);
        var starts = new List<int> { 0 };
        if (n >= 2 * minSize && range > 0 && range >= options.AbsoluteFloor)
        {
            var cost = LinearTrendCost.Fit(x, values);
            // A break exactly at the bar between two shortest trends lowers the residual by about a third of bar²; a BIC with
            // σ = bar / 8 (3 ln T / 64 ≈ 0.17 bar² at T = 40) lets the search propose it, and the noise model decides.
            double penalty = 3 * Math.Log(n) * sigma * sigma;
            var found = new Pelt(new SearchOptions(minSize)).Predict(cost, StopRule.WithPenalty(penalty));
            starts.AddRange(found.ChangePoints);
        }

        var rejected = new List<TrendBreak>();
        var trendCost = n >= 2 * minSize ? LinearTrendCost.Fit(x, values) : null;
        while (true)
        {
            if (trendCost is not null) Refine(starts, trendCost, minSize, n);
            var segments = Fit(starts, x, values);
            int weakest = -1;
            double weakestRatio = double.PositiveInfinity;
            var breaks = new List<TrendBreak>();
            for (int k = 1; k < segments.Count; k++)
            {
                var b = Measure(segments[k - 1], segments[k], x, values, noise, options.SignificanceZ, floor, steps, trendCost!);
                if (otherX is not null)
                    b = b with { SmoothFit = Math.Max(b.SmoothFit, SmoothFit(segments[k - 1], segments[k], otherX, values, noise, trendCost!)) };
                breaks.Add(b);
                // How far the break is from passing, on both tests (below 1: it fails one).
                double ratio = Math.Min(b.Bar > 0 ? b.Magnitude / b.Bar : double.PositiveInfinity,
                    b.SmoothFit > 0 ? options.MaxSmoothFit / b.SmoothFit : double.PositiveInfinity);
                if (ratio < 1 && ratio < weakestRatio) { weakestRatio = ratio; weakest = k; }
            }
            if (weakest < 0)
            {
                double residual = trendCost is null ? 0 : segments.Sum(g => g.EndIndex - g.StartIndex >= 2 ? trendCost.Cost(g.StartIndex, g.EndIndex) : 0);
                return (new TrendBreakResult(steps, axis, x, values, noise, range, segments, breaks, rejected), residual, sigma);
            }
            rejected.Add(breaks[weakest - 1]);
            starts.RemoveAt(weakest);
        }
    }

    // Moves each break, in turn, to the place between its neighbours that best fits the two trends it separates (after a
    // neighbour was removed, the remaining break may no longer sit where the change is). Repeats until nothing moves.
    private static void Refine(List<int> starts, LinearTrendCost cost, int minSize, int n)
    {
        for (int round = 0; round < 10; round++)
        {
            bool moved = false;
            for (int k = 1; k < starts.Count; k++)
            {
                int lo = starts[k - 1], hi = k + 1 < starts.Count ? starts[k + 1] : n;
                int best = starts[k];
                double bestCost = cost.Cost(lo, best) + cost.Cost(best, hi);
                for (int b = lo + minSize; b <= hi - minSize; b++)
                {
                    double c = cost.Cost(lo, b) + cost.Cost(b, hi);
                    if (c < bestCost - 1e-12 * (1 + bestCost)) { bestCost = c; best = b; }
                }
                if (best != starts[k]) { starts[k] = best; moved = true; }
            }
            if (!moved) return;
        }
    }

    private static List<TrendSegment> Fit(List<int> starts, double[] x, IReadOnlyList<double> y)
    {
        var segments = new List<TrendSegment>(starts.Count);
        for (int k = 0; k < starts.Count; k++)
        {
            int start = starts[k], end = k + 1 < starts.Count ? starts[k + 1] : x.Length;
            var (intercept, slope) = Line(x, y, start, end);
            segments.Add(new TrendSegment(start, end, intercept, slope));
        }
        return segments;
    }

    /// <summary>Least-squares line through rows [start, end) (a constant for one row).</summary>
    internal static (double Intercept, double Slope) Line(IReadOnlyList<double> x, IReadOnlyList<double> y, int start, int end)
    {
        int n = end - start;
        double mx = 0, my = 0;
        for (int i = start; i < end; i++) { mx += x[i]; my += y[i]; }
        mx /= n;
        my /= n;
        double sxx = 0, sxy = 0;
        for (int i = start; i < end; i++) { sxx += (x[i] - mx) * (x[i] - mx); sxy += (x[i] - mx) * (y[i] - my); }
        double slope = sxx > 0 ? sxy / sxx : 0;
        return (my - slope * mx, slope);
    }

    // How far the two fitted lines differ within the shorter trend's span of the break, the bar it must reach, and how
    // well one smooth (quadratic) trend through both would do instead.
    private static TrendBreak Measure(TrendSegment a, TrendSegment b, double[] x, IReadOnlyList<double> y, double noise, double z, double floor,
        IReadOnlyList<long> steps, LinearTrendCost cost)
    {
        double mid = 0.5 * (x[b.StartIndex - 1] + x[b.StartIndex]);
        double reach = Math.Min(x[a.EndIndex - 1] - x[a.StartIndex], x[b.EndIndex - 1] - x[b.StartIndex]);
        // The difference of two lines is linear in x, so its largest absolute value over [mid − reach, mid + reach] is at an end.
        double best = 0, at = mid;
        foreach (double p in new[] { mid - reach, mid, mid + reach })
        {
            double d = Math.Abs(b.At(p) - a.At(p));
            if (d > best) { best = d; at = p; }
        }
        double se = noise * Math.Sqrt(PredictionVariance(a, x, at) + PredictionVariance(b, x, at));
        double bar = Math.Max(z * se, floor);
        return new TrendBreak(b.StartIndex, steps[b.StartIndex], best, bar)
        {
            SmoothFit = SmoothFit(a, b, x, y, noise, cost),
            IsRateChange = IsRateChange(a, b, x, y, bar),
            Turn = Turn(a, b, x, y, bar, steps),
        };
    }

    // How far a trend's line moves the curve over its own span.
    private static double Move(TrendSegment s, double[] x) => s.Slope * (x[s.EndIndex - 1] - x[s.StartIndex]);

    // For a reversal (each trend moving the curve by at least the bar, in opposite directions), the step of the extreme
    // value near the break (the shorter trend's length of checkpoints on each side): where the curve turns. Two lines
    // fitted to a rounded peak meet where they fit best, which need not be the peak.
    private static long? Turn(TrendSegment a, TrendSegment b, double[] x, IReadOnlyList<double> y, double bar, IReadOnlyList<long> steps)
    {
        double moveA = Move(a, x), moveB = Move(b, x);
        if (Math.Abs(moveA) < bar || Math.Abs(moveB) < bar || Math.Sign(moveA) == Math.Sign(moveB)) return null;
        int mid = b.StartIndex, w = Math.Min(mid - a.StartIndex, b.EndIndex - mid);
        int best = mid;
        for (int i = mid - w; i < mid + w; i++)
            if (moveA > 0 ? y[i] > y[best] : y[i] < y[best]) best = i;
        return steps[best];
    }

    // A change of rate only: the values do not step by the bar across the break's interval (beyond what the two trends'
    // rates carry them), and on both sides a trend moves the curve by at least the bar over its own span, in the same
    // direction. Not a plateau starting or ending, not a step, not a reversal. The step is read from the values, not from
    // the lines: two lines fitted to a smooth bend can be apart at the break where the curve itself is continuous.
    private static bool IsRateChange(TrendSegment a, TrendSegment b, double[] x, IReadOnlyList<double> y, double bar)
    {
        double moveA = Move(a, x), moveB = Move(b, x);
        int i = b.StartIndex;
        double step = y[i] - y[i - 1] - 0.5 * (a.Slope + b.Slope) * (x[i] - x[i - 1]);
        return Math.Abs(step) < bar && Math.Abs(moveA) >= bar && Math.Abs(moveB) >= bar && Math.Sign(moveA) == Math.Sign(moveB);
    }

    // Near the break (the shorter trend's length of checkpoints on each side): the residual of two lines in the cost's own
    // coordinate over that of one parabola in the time coordinate smoothX, each plus n·σ². Locally every smooth curve is a
    // parabola and a kink or a jump is not, so the comparison is made where the break is, not over two long trends that no
    // parabola can follow.
    private static double SmoothFit(TrendSegment a, TrendSegment b, double[] smoothX, IReadOnlyList<double> y, double noise, LinearTrendCost cost)
    {
        int mid = b.StartIndex, w = Math.Min(mid - a.StartIndex, b.EndIndex - mid);
        int lo = mid - w, hi = mid + w, n = hi - lo;
        double floorSquares = n * noise * noise;
        double twoLines = cost.Cost(lo, mid) + cost.Cost(mid, hi);
        double smooth = (twoLines + floorSquares) / (PolynomialResidual(smoothX, y, lo, hi, 2) + floorSquares);
        return double.IsFinite(smooth) ? smooth : 1;
    }

    /// <summary>
    /// Residual sum of squares of the least-squares polynomial of <paramref name="degree"/> through rows [start, end)
    /// (x centred and scaled to [−1, 1]); 0 when the rows are no more than its coefficients.
    /// </summary>
    internal static double PolynomialResidual(IReadOnlyList<double> x, IReadOnlyList<double> y, int start, int end, int degree)
    {
        int n = end - start, k = degree + 1;
        if (n <= k) return 0;
        double lo = x[start], hi = x[end - 1], c = 0.5 * (lo + hi), h = Math.Max(0.5 * (hi - lo), 1e-300);
        var m = new double[k, k + 1];
        var f = new double[k];
        for (int i = start; i < end; i++)
        {
            Powers((x[i] - c) / h, f);
            for (int r = 0; r < k; r++)
            {
                for (int q = 0; q < k; q++) m[r, q] += f[r] * f[q];
                m[r, k] += f[r] * y[i];
            }
        }
        var p = Solve(m, k);
        double sum = 0;
        for (int i = start; i < end; i++)
        {
            Powers((x[i] - c) / h, f);
            double e = y[i];
            for (int r = 0; r < k; r++) e -= p[r] * f[r];
            sum += e * e;
        }
        return sum;
    }

    private static void Powers(double u, double[] f)
    {
        double v = 1;
        for (int r = 0; r < f.Length; r++) { f[r] = v; v *= u; }
    }

    // Gaussian elimination with partial pivoting on a k × (k + 1) augmented matrix.
    private static double[] Solve(double[,] m, int k)
    {
        for (int col = 0; col < k; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < k; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            for (int q = 0; q <= k; q++) (m[col, q], m[pivot, q]) = (m[pivot, q], m[col, q]);
            for (int r = col + 1; r < k; r++)
            {
                double g = m[col, col] == 0 ? 0 : m[r, col] / m[col, col];
                for (int q = col; q <= k; q++) m[r, q] -= g * m[col, q];
            }
        }
        var p = new double[k];
        for (int r = k - 1; r >= 0; r--)
        {
            double s = m[r, k];
            for (int q = r + 1; q < k; q++) s -= m[r, q] * p[q];
            p[r] = m[r, r] == 0 ? 0 : s / m[r, r];
        }
        return p;
    }

    // Var(fitted line at p) / σ² = 1/n + (p − x̄)² / Σ(x − x̄)².
    private static double PredictionVariance(TrendSegment s, double[] x, double p)
    {
        int n = s.EndIndex - s.StartIndex;
        double mean = 0;
        for (int i = s.StartIndex; i < s.EndIndex; i++) mean += x[i];
        mean /= n;
        double sxx = 0;
        for (int i = s.StartIndex; i < s.EndIndex; i++) sxx += (x[i] - mean) * (x[i] - mean);
        return 1.0 / n + (sxx > 0 ? (p - mean) * (p - mean) / sxx : 0);
    }
}
