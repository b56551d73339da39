namespace DevInterp.Stages.Table;

/// <summary>
/// The combined stage table of a run: boundaries proposed by several signals, merged within a tolerance, cut the
/// run into stages; each row carries the LLC trend and change, the loss change, which signals agree on its start,
/// and how confident that start is (<see cref="MergedBoundary"/>).
/// </summary>
/// <param name="Rows">The stages, in order; they tile the run from its first to its last checkpoint.</param>
/// <param name="Boundaries">The merged boundaries kept (one per row after the first).</param>
/// <param name="DroppedBoundaries">Merged boundaries dropped for a confidence below the option's minimum.</param>
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
        var kept = groups.Where(g => g.Confidence >= options.MinConfidence).ToList();
        var dropped = groups.Where(g => g.Confidence < options.MinConfidence).ToList();

        long first = input.CheckpointSteps[0], last = input.CheckpointSteps[^1];
        var starts = new[] { first }.Concat(kept.Select(g => g.Step)).ToArray();
        var rows = new List<StageRow>();
        for (int k = 0; k < starts.Length; k++)
        {
            long start = starts[k], end = k + 1 < starts.Length ? starts[k + 1] : last;
            double? llc = Change(input.Llc, start, end), loss = Change(input.Loss, start, end);
            StageTrend? trend = llc is { } change ? Trend(change, input.Llc!.Range * options.FlatTolerance) : null;
            var boundary = k == 0 ? null : kept[k - 1];
            rows.Add(new StageRow(k, start, end, trend, llc, loss, boundary?.Signals ?? [], boundary?.Confidence));
        }
        return new StageTable(rows, kept, dropped);
    }

    private static double? Change(StepCurve? curve, long start, long end) =>
        curve?.At(start) is { } a && curve.At(end) is { } b ? b - a : null;

    private static StageTrend Trend(double change, double threshold) =>
        Math.Abs(change) < threshold || change == 0 ? StageTrend.Flat : change > 0 ? StageTrend.Rising : StageTrend.Falling;

    private static void ValidateInput(StageTableInput input, StageTableOptions options)
    {
        if (!(options.Tolerance >= 0) || !double.IsFinite(options.Tolerance))
            throw new ArgumentOutOfRangeException(nameof(options), $"Tolerance must be a finite number ≥ 0, got {options.Tolerance}");
        if (!(options.MinConfidence >= 0 && options.MinConfidence <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"MinConfidence must lie in [0, 1], got {options.MinConfidence}");
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
