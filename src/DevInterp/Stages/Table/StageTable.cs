namespace DevInterp.Stages.Table;

/// <summary>
/// The combined stage table of a run: boundaries proposed by several signals, merged within a tolerance, cut the
/// run into stages; each row carries the LLC trend and change, the loss change, which signals agree on its start,
/// and how confident that start is (<see cref="MergedBoundary"/>).
/// </summary>
/// <param name="Rows">The stages, in order; they tile the run from its first to its last checkpoint.</param>
/// <param name="Boundaries">The merged boundaries kept (one per row after the first).</param>
/// <param name="DroppedBoundaries">Merged boundaries dropped for a confidence below the option's minimum, for being only
/// changes of rate below <see cref="StageTableOptions.MinRateChangeConfidence"/>, or for leaving fewer than
/// <see cref="StageTableOptions.MinEndStageCheckpoints"/> checkpoints in the first or last stage.</param>
public sealed record StageTable(IReadOnlyList<StageRow> Rows, IReadOnlyList<MergedBoundary> Boundaries, IReadOnlyList<MergedBoundary> DroppedBoundaries)
{
    /// <summary>Builds the table. Boundaries at or outside the run's first and last checkpoint are ignored (they cut nothing).</summary>
    public static StageTable Build(StageTableInput input, StageTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= StageTableOptions.Default;
        var axis = StageAxis.Create(input.CheckpointSteps, options.Unit);
        ValidateInput(input, options);

        var groups = BoundaryMerger.Merge(input.Signals, axis, options.Tolerance);
        var steps = input.CheckpointSteps;
        int count = steps.Count;
        bool nearEnd(MergedBoundary g)
        {
            int index = IndexOf(steps, g.Step);
            return index < options.MinEndStageCheckpoints || count - index < options.MinEndStageCheckpoints;
        }
        bool keep(MergedBoundary g) => g.Confidence >= options.MinConfidence && !nearEnd(g)
            && (!g.RateChangeOnly || g.Confidence >= options.MinRateChangeConfidence);
        var kept = groups.Where(keep).ToList();
        var dropped = groups.Where(g => !keep(g)).ToList();

        long first = steps[0], last = steps[^1];
        var starts = new[] { first }.Concat(kept.Select(g => g.Step)).ToArray();
        var rows = new List<StageRow>();
        for (int k = 0; k < starts.Length; k++)
        {
            long start = starts[k], end = k + 1 < starts.Length ? starts[k + 1] : last;
            // A stage's own checkpoints: [start, end), the last stage including the run's last checkpoint.
            long through = k + 1 < starts.Length ? end - 1 : end;
            double? llc = ChangeOver(input.Llc, start, through), loss = ChangeOver(input.Loss, start, through);
            StageTrend? trend = llc is { } change ? TrendOver(input.Llc!, start, through, change, input.Llc!.Range * options.FlatTolerance) : null;
            var boundary = k == 0 ? null : kept[k - 1];
            rows.Add(new StageRow(k, start, end, trend, llc, loss, boundary?.Signals ?? [], boundary?.Confidence));
        }
        return new StageTable(rows, kept, dropped);
    }

    /// <summary>
    /// The change of <paramref name="curve"/> over the steps [<paramref name="start"/>, <paramref name="end"/>] from the
    /// values measured there, not from a smoothed or interpolated curve: the last value in the range minus the first.
    /// Null with fewer than two values in the range.
    /// </summary>
    public static double? ChangeOver(StepCurve? curve, long start, long end)
    {
        var inside = Inside(curve, start, end);
        return inside.Count < 2 ? null : inside[^1].Value - inside[0].Value;
    }

    /// <summary>
    /// Rising or falling when |<paramref name="change"/>| reaches <paramref name="threshold"/> and the least-squares slope
    /// of the values in the range (against their order) has the same sign — a change between two end values that the
    /// values in between do not follow is not a trend — else flat.
    /// </summary>
    public static StageTrend TrendOver(StepCurve curve, long start, long end, double change, double threshold)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (Math.Abs(change) < threshold || change == 0) return StageTrend.Flat;
        var inside = Inside(curve, start, end);
        double mean = (inside.Count - 1) / 2.0, meanValue = inside.Average(p => p.Value), slope = 0;
        for (int i = 0; i < inside.Count; i++) slope += (i - mean) * (inside[i].Value - meanValue);
        if (Math.Sign(slope) != Math.Sign(change)) return StageTrend.Flat;
        return change > 0 ? StageTrend.Rising : StageTrend.Falling;
    }

    private static List<(long Step, double Value)> Inside(StepCurve? curve, long start, long end)
    {
        var inside = new List<(long, double)>();
        if (curve is null) return inside;
        for (int i = 0; i < curve.Steps.Count; i++)
            if (curve.Steps[i] >= start && curve.Steps[i] <= end) inside.Add((curve.Steps[i], curve.Values[i]));
        return inside;
    }

    private static int IndexOf(IReadOnlyList<long> steps, long step)
    {
        for (int i = 0; i < steps.Count; i++) if (steps[i] == step) return i;
        return -1;
    }

    private static void ValidateInput(StageTableInput input, StageTableOptions options)
    {
        if (!(options.Tolerance >= 0) || !double.IsFinite(options.Tolerance))
            throw new ArgumentOutOfRangeException(nameof(options), $"Tolerance must be a finite number ≥ 0, got {options.Tolerance}");
        if (!(options.MinConfidence >= 0 && options.MinConfidence <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"MinConfidence must lie in [0, 1], got {options.MinConfidence}");
        if (options.MinEndStageCheckpoints < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"MinEndStageCheckpoints must be ≥ 1, got {options.MinEndStageCheckpoints}");
        if (!(options.FlatTolerance >= 0) || !double.IsFinite(options.FlatTolerance))
            throw new ArgumentOutOfRangeException(nameof(options), $"FlatTolerance must be a finite number ≥ 0, got {options.FlatTolerance}");
        ArgumentNullException.ThrowIfNull(input.Signals);
        var names = new HashSet<string>();
        foreach (var signal in input.Signals)
        {
            if (signal is null || string.IsNullOrWhiteSpace(signal.Name) || signal.Steps is null)
                throw new ArgumentException("signals: every signal needs a non-empty name and a list of steps", nameof(input));
            if (!names.Add(signal.Name)) throw new ArgumentException($"signals: the name '{signal.Name}' is used twice", nameof(input));
            long from = signal.CoverageStart ?? input.CheckpointSteps[0], to = signal.CoverageEnd ?? input.CheckpointSteps[^1];
            if (from > to) throw new ArgumentException($"signal '{signal.Name}': coverage starts at {from} after it ends at {to}", nameof(input));
            foreach (long step in signal.Steps)
                if (step < from || step > to)
                    throw new ArgumentException($"signal '{signal.Name}': boundary at step {step} lies outside its coverage [{from}, {to}]", nameof(input));
        }
        input.Llc?.Validate("llc");
        input.Loss?.Validate("loss");
    }
}
