namespace DevInterp.Stages.LlcCurve;

/// <summary>
/// Developmental stages from an LLC curve, after Hoogland et al. (2024, "The developmental landscape of in-context
/// learning") and Wang et al. (2024, "Differentiation and specialization of attention heads via the refined local
/// learning coefficient"): stage boundaries are where the LLC's slope against log step vanishes. The curve is
/// smoothed in log step (<see cref="LocalLinearSmoother"/>), each checkpoint is labelled rising, falling or flat by
/// its slope against a threshold relative to the curve's range (and against the slope's noise level), and maximal
/// runs of one label are the stages. A critical point (rising straight into falling or back) and the edge of a
/// plateau (a flat run) both cut a stage.
/// </summary>
public static class LlcStageFinder
{
    /// <summary>Finds the stages of a curve sampled at increasing, non-negative steps.</summary>
    public static LlcStageResult Find(IReadOnlyList<long> steps, IReadOnlyList<double> values, LlcStageOptions? options = null)
    {
        options ??= LlcStageOptions.Default;
        Validate(steps, values, options);

        var keptSteps = new List<long>();
        var keptValues = new List<double>();
        for (int i = 0; i < steps.Count; i++)
        {
            if (steps[i] == 0 && options.StepZero == StepZeroHandling.Drop) continue;
            keptSteps.Add(steps[i]);
            keptValues.Add(values[i]);
        }
        if (keptSteps.Count < 3)
            throw new ArgumentException($"steps: need at least 3 checkpoints (after dropping step 0), got {keptSteps.Count}", nameof(steps));
        double offset = options.StepZero == StepZeroHandling.ShiftByOne ? 1 : 0;
        var x = keptSteps.Select(s => Math.Log(s + offset)).ToArray();

        double bandwidth = options.Bandwidth ?? LlcStageOptions.DefaultBandwidthFraction * (x[^1] - x[0]);
        var (smoothed, slopes, slopeErrors) = LocalLinearSmoother.Fit(x, keptValues, bandwidth);
        double range = smoothed.Max() - smoothed.Min();
        double threshold = options.FlatTolerance * range;
        // A constant curve's local slopes are rounding noise, not trends.
        bool constant = range <= 1e-12 * Math.Max(1, keptValues.Max(Math.Abs));
        double noise = Costs.NoiseScale.Estimate(Signals.FromSeries(keptValues))[0];

        // A checkpoint trends only if its slope clears the range-relative threshold and is distinguishable from noise.
        var labels = new StageTrend[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double bar = Math.Max(threshold, options.SignificanceZ * noise * slopeErrors[i]);
            labels[i] = constant ? StageTrend.Flat : slopes[i] > bar ? StageTrend.Rising : slopes[i] < -bar ? StageTrend.Falling : StageTrend.Flat;
        }
        var runs = StageRuns.Merge(StageRuns.Of(labels), options.MinStageCheckpoints);

        var stages = new List<LlcStage>();
        for (int k = 0; k < runs.Count; k++)
        {
            int start = runs[k].Start, end = k + 1 < runs.Count ? runs[k + 1].Start : x.Length - 1;
            stages.Add(new LlcStage(k, keptSteps[start], keptSteps[end], start, end, runs[k].Trend, smoothed[start], smoothed[end]));
        }
        return new LlcStageResult(keptSteps, x, smoothed, slopes, stages, CriticalPoints(keptSteps, slopes, stages), bandwidth, threshold, noise);
    }

    /// <summary>
    /// One critical point between each rising stage and the next trending stage when that one falls (or vice versa),
    /// flat stages in between allowed: the checkpoint from the last of the first stage to the first of the second
    /// whose slope is closest to zero. Sign changes of the slope inside flat stretches are noise and are not reported.
    /// </summary>
    private static List<LlcCriticalPoint> CriticalPoints(IReadOnlyList<long> steps, double[] slopes, List<LlcStage> stages)
    {
        var points = new List<LlcCriticalPoint>();
        var trending = stages.Where(s => s.Trend != StageTrend.Flat).ToList();
        for (int k = 0; k + 1 < trending.Count; k++)
        {
            var (a, b) = (trending[k], trending[k + 1]);
            if (a.Trend == b.Trend) continue;
            int from = Math.Max(a.StartIndex, a.EndIndex - 1), at = from;
            for (int i = from; i <= b.StartIndex; i++)
                if (Math.Abs(slopes[i]) < Math.Abs(slopes[at])) at = i;
            points.Add(new LlcCriticalPoint(steps[at], at, IsMaximum: a.Trend == StageTrend.Rising));
        }
        return points;
    }

    private static void Validate(IReadOnlyList<long> steps, IReadOnlyList<double> values, LlcStageOptions options)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(values);
        if (steps.Count != values.Count)
            throw new ArgumentException($"values: {values.Count} values for {steps.Count} steps", nameof(values));
        for (int i = 0; i < steps.Count; i++)
        {
            if (steps[i] < 0) throw new ArgumentException($"steps: step {steps[i]} at index {i} is negative", nameof(steps));
            if (i > 0 && steps[i] <= steps[i - 1])
                throw new ArgumentException($"steps: must be strictly increasing; {steps[i]} at index {i} follows {steps[i - 1]}", nameof(steps));
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"values: value at step {steps[i]} is {values[i]}; expected a finite number", nameof(values));
        }
        if (options.Bandwidth is { } h && (!(h > 0) || !double.IsFinite(h)))
            throw new ArgumentOutOfRangeException(nameof(options), $"Bandwidth must be a positive finite number (log-step units), got {h}");
        if (!(options.FlatTolerance >= 0) || !double.IsFinite(options.FlatTolerance))
            throw new ArgumentOutOfRangeException(nameof(options), $"FlatTolerance must be a finite number ≥ 0, got {options.FlatTolerance}");
        if (!(options.SignificanceZ >= 0) || !double.IsFinite(options.SignificanceZ))
            throw new ArgumentOutOfRangeException(nameof(options), $"SignificanceZ must be a finite number ≥ 0, got {options.SignificanceZ}");
        if (options.MinStageCheckpoints < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"MinStageCheckpoints must be ≥ 1, got {options.MinStageCheckpoints}");
    }
}
