using DevInterp.Llc;
using DevInterp.Runs;
using DevInterp.Stages;
using DevInterp.Stages.Costs;
using DevInterp.Stages.LlcCurve;
using DevInterp.Stages.Search;
using DevInterp.Stages.Table;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>
/// The combined stage table of an analysis folder, from whatever the store holds (any subset of these works). Each
/// kind of evidence is one signal, so the confidence of a boundary counts kinds that agree, not layers:
/// <list type="bullet">
/// <item><c>loss</c>: change points of log(train_loss) (or of a plain <c>loss</c> when there is no train_loss) from the <c>checkpoints</c> table's metrics (losses below
/// <see cref="LossFloor"/> of the largest are raised to that floor: a converged loss's last decades are numerical noise,
/// not stages); likewise <c>test_loss</c> (or val_loss, eval_loss) on the log scale, and accuracy metrics as they are.
/// A plateau of the loss is a level, so change points of the level mark each plateau's start.</item>
/// <item><c>similarity</c>: the prominent peaks of the mean normalized adjacent-step change over layers
/// (<see cref="SimilarityDrops"/>): a transition is a burst of representational change, one peak of that rate.</item>
/// <item><c>llc</c>: <see cref="LlcStageFinder"/> on the mean LLC per step (critical points and plateau edges of the
/// smoothed LLC over log step). Estimates with an <c>untrusted</c> verdict (or a non-finite mean) are excluded;
/// <c>doubtful</c> ones are kept as they are: the finder has no weights, and a doubtful estimate is usually right in
/// level, which is what stage boundaries depend on.</item>
/// <item><c>dynamics</c>: the checkpoints essential dynamics flagged where the path turns by at least
/// <see cref="MinDynamicsTurnDegrees"/> or reverses.</item>
/// </list>
/// Change points use the stage settings' cost, method and minimum segment size. Without an explicit penalty the
/// penalty is the cost's default BIC (<see cref="DefaultPenalty"/>) with the noise level raised to at least
/// <see cref="Resolution"/> × the signal's range: the curves of a deterministic run are smooth, their estimated noise is
/// near zero, and the plain BIC would cut every bend. Boundaries of different signals within
/// <see cref="StageSettings.Tolerance"/> checkpoints are merged (<see cref="StageTable"/>). The table spans every
/// checkpoint any table mentions; its LLC columns come from the smoothed LLC curve and its loss column from
/// train_loss. The result goes to the <c>stages</c> table (one part, <see cref="PartKey.Whole"/>).
/// </summary>
public static class StageAnalysis
{
    /// <summary>Loss metrics read on the log scale, with their signal names.</summary>
    public static IReadOnlyList<(string Metric, string Signal)> LossMetrics { get; } =
        [("train_loss", "loss"), ("test_loss", "test_loss"), ("val_loss", "val_loss"), ("eval_loss", "eval_loss")];

    /// <summary>Accuracy metrics, read as they are.</summary>
    public static IReadOnlyList<string> AccuracyMetrics { get; } =
        ["accuracy", "train_accuracy", "test_accuracy", "val_accuracy", "eval_accuracy", "train_acc", "test_acc", "val_acc", "eval_acc"];

    /// <summary>Losses below this fraction of the largest loss are raised to it before the logarithm.</summary>
    public const double LossFloor = 1e-3;

    /// <summary>
    /// Without an explicit penalty, the noise level of each signal column is taken to be at least this fraction of the
    /// column's range: level changes much smaller than a tenth of a curve's range are not stage boundaries.
    /// </summary>
    public const double Resolution = 0.1;

    /// <summary>
    /// A similarity drop must also stand this many robust noise levels above its surroundings, so that the jitter of a
    /// noisy run's adjacent-step change does not make stages (as <see cref="LlcStageOptions.SignificanceZ"/> for the LLC).
    /// </summary>
    public const double SignificanceZ = 4;

    /// <summary>
    /// Curvature peaks of the essential-dynamics path count as boundaries only where the path turns by at least this
    /// angle (or reverses): on a slow stretch the steps are short and |κ| peaks at turns of a degree or less.
    /// </summary>
    public const double MinDynamicsTurnDegrees = 10;

    /// <summary>
    /// Builds the stage table from <paramref name="store"/>'s tables with <paramref name="settings"/> (the analysis.json
    /// <c>stages</c> section) and writes it to the <c>stages</c> table (one part; the command consolidates).
    /// </summary>
    /// <exception cref="RunFormatException">The store holds results for fewer than 2 checkpoints.</exception>
    /// <exception cref="ArgumentException">Settings out of range.</exception>
    public static StageAnalysisResult Run(AnalysisStore store, StageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = Compute(store, settings);
        store.Write(PartKey.Whole, result.Rows);
        return result;
    }

    /// <summary>Builds the stage table from the store's tables without writing anything.</summary>
    /// <exception cref="RunFormatException">The store holds results for fewer than 2 checkpoints.</exception>
    /// <exception cref="ArgumentException">Settings out of range.</exception>
    public static StageAnalysisResult Compute(AnalysisStore store, StageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        var options = ChangePoints(settings);
        var checkpoints = store.Read<CheckpointRow>();
        var llcRows = store.Read<LlcRow>();
        var similarity = SimilarityMatrices.Read(store);
        var curvature = store.Read<DynamicsCurvatureRow>();
        var trajectory = store.Read<DynamicsCoordinateRow>();

        var axis = checkpoints.Select(c => c.Step)
            .Concat(llcRows.Select(r => r.Step))
            .Concat(similarity.SelectMany(m => m.Matrix.Steps))
            .Concat(trajectory.Select(r => r.Step))
            .Distinct().Order().ToArray();
        if (axis.Length < 2)
            throw new RunFormatException(store.Folder, $"holds results for {axis.Length} checkpoint(s); stages need at least 2 (run devinterp llc, similarity or dynamics into it first)");

        var signals = new List<StageSignal>();
        var notes = new List<string>();
        StepCurve? lossCurve = null;

        foreach (var (metric, name) in LossMetrics)
        {
            // Many runs log the training loss as plain 'loss' (a summary pickle, a custom CSV).
            var curve = Metric(checkpoints, metric) ?? (metric == "train_loss" ? Metric(checkpoints, "loss") : null);
            if (curve is null) continue;
            if (metric == "train_loss") lossCurve = curve;
            double floor = LossFloor * curve.Values.Max();
            var logValues = curve.Values.Select(v => Math.Log(Math.Max(v, floor))).ToArray();
            AddChangePoints(signals, notes, name, "loss", curve.Steps, Signals.FromSeries(logValues), settings, options);
        }
        foreach (string metric in AccuracyMetrics)
            if (Metric(checkpoints, metric) is { } curve)
                AddChangePoints(signals, notes, metric, "metric", curve.Steps, Signals.FromSeries(curve.Values), settings, options);

        if (SimilarityDrops.Curve(similarity) is { } drops)
        {
            var boundaries = SimilarityDrops.Boundaries(drops, Resolution, SignificanceZ, options.MinSegmentSize);
            signals.Add(new StageSignal("similarity", "similarity:" + string.Join(",", drops.Layers.Select(l => $"{l.Layer}={l.Measure}")),
                new BoundarySignal("similarity", boundaries) { CoverageStart = drops.CoverageStart, CoverageEnd = drops.CoverageEnd }));
        }
        else if (similarity.Count > 0) notes.Add("similarity: no layer's representation changed between checkpoints (or every change is undefined); no similarity signal");

        StepCurve? llcCurve = null;
        var excluded = llcRows.Where(r => r.Verdict == LlcVerdict.Untrusted || !double.IsFinite(r.Mean)).Select(r => r.Step).ToArray();
        var usable = llcRows.Where(r => r.Verdict != LlcVerdict.Untrusted && double.IsFinite(r.Mean)).ToArray();
        if (excluded.Length > 0) notes.Add($"llc: {excluded.Length} untrusted or undefined estimate(s) excluded (steps {string.Join(", ", excluded)})");
        if (usable.Length >= 3)
        {
            var found = LlcStageFinder.Find(usable.Select(r => r.Step).ToArray(), usable.Select(r => r.Mean).ToArray());
            llcCurve = new StepCurve(found.Steps, found.Smoothed);
            var signal = BoundarySignal.FromLlcStages("llc", found);
            signals.Add(new StageSignal("llc", "llc", signal));
        }
        else if (llcRows.Count > 0) notes.Add($"llc: {usable.Length} usable estimate(s), fewer than the 3 the LLC stage finder needs; no llc signal");

        if (curvature.Count > 0)
        {
            var turns = curvature.Where(c => c.Flagged && (Math.Abs(c.TurningAngleDegrees) >= MinDynamicsTurnDegrees || (c.Reason ?? "").Contains("reversal", StringComparison.Ordinal))).ToList();
            int ignored = curvature.Count(c => c.Flagged) - turns.Count;
            if (ignored > 0) notes.Add($"dynamics: {ignored} curvature peak(s) turning by less than {MinDynamicsTurnDegrees}° ignored");
            var signal = new BoundarySignal("dynamics", turns.Select(c => c.Step).ToArray())
            {
                CoverageStart = curvature.Min(c => c.Step),
                CoverageEnd = curvature.Max(c => c.Step),
            };
            signals.Add(new StageSignal("dynamics", "essential_dynamics", signal));
        }
        if (signals.Count == 0) notes.Add("no boundary signal: the store holds no loss metric, similarity, LLC or essential dynamics; one stage");

        var table = StageTable.Build(new StageTableInput(axis, signals.Select(s => s.Boundaries).ToList(), llcCurve, lossCurve),
            new StageTableOptions(settings.Tolerance, ToleranceUnit.Checkpoints));
        return new StageAnalysisResult(axis, signals, notes, excluded, table, table.Rows.Select(StageSummaryRow.From).ToList());
    }

    /// <summary>The change-point options the settings describe.</summary>
    /// <exception cref="ArgumentException">Unknown cost or method, a negative penalty, or a minimum segment size below 1.</exception>
    public static ChangePointOptions ChangePoints(StageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var cost = StageSettings.ParseCost(settings.Cost)!.Value;
        var method = StageSettings.ParseMethod(settings.Method)!.Value;
        return new ChangePointOptions(cost, method, null, settings.Penalty, settings.MinSegmentSize);
    }

    /// <summary>A metric's finite values over the checkpoints that carry it, or null with fewer than 2.</summary>
    private static StepCurve? Metric(IReadOnlyList<CheckpointRow> checkpoints, string metric)
    {
        var points = checkpoints.Where(c => c.Metrics.TryGetValue(metric, out double v) && double.IsFinite(v))
            .Select(c => (c.Step, Value: c.Metrics[metric])).ToArray();
        return points.Length < 2 ? null : new StepCurve(points.Select(p => p.Step).ToArray(), points.Select(p => p.Value).ToArray());
    }

    /// <summary>
    /// The penalty for <paramref name="signal"/>: the settings' own, else the cost's default with the noise level of
    /// each column at least <see cref="Resolution"/> × its range (l2, l1; the normal and rbf costs are scale-free).
    /// </summary>
    public static double Penalty(StageSettings settings, ChangePointOptions options, double[,] signal)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        if (settings.Penalty is { } given) return given;
        var cost = SegmentCosts.Fit(options.Cost, signal, options.CostOptions);
        double penalty = DefaultPenalty.For(cost, signal);
        int t = signal.GetLength(0), d = signal.GetLength(1);
        var floors = Enumerable.Range(0, d).Select(j =>
        {
            var column = Signals.Column(signal, j);
            return Resolution * (column.Max() - column.Min());
        }).ToArray();
        double logT = Math.Log(Math.Max(t, 2));
        double floor = options.Cost switch
        {
            CostKind.L2 => logT * (d + 1) * floors.Average(f => f * f),
            CostKind.L1 => logT * (d + 1) * floors.Average() * Math.Sqrt(2 * Math.PI) / 4,
            _ => 0,
        };
        return Math.Max(penalty, floor);
    }

    private static void AddChangePoints(List<StageSignal> signals, List<string> notes, string name, string source,
        IReadOnlyList<long> steps, double[,] signal, StageSettings settings, ChangePointOptions options)
    {
        if (steps.Count < 2 * options.MinSegmentSize)
        {
            notes.Add($"{name}: {steps.Count} point(s), too few for change points with segments of at least {options.MinSegmentSize}; no signal");
            return;
        }
        var result = ChangePointDetector.Detect(signal, options with { Penalty = Penalty(settings, options, signal) });
        signals.Add(new StageSignal(name, source, BoundarySignal.FromChangePoints(name, result, steps)));
    }
}

/// <summary>One boundary signal of a stage analysis.</summary>
/// <param name="Name">Its name in the stage table (<c>loss</c>, <c>sim.LAYER</c>, <c>llc</c>, <c>dynamics</c>...).</param>
/// <param name="Source">What it was computed from: <c>loss</c>, <c>metric</c>, <c>similarity:MEASURE</c>, <c>llc</c>, <c>essential_dynamics</c>.</param>
/// <param name="Boundaries">Its boundary steps and coverage.</param>
public sealed record StageSignal(string Name, string Source, BoundarySignal Boundaries);

/// <summary>What <see cref="StageAnalysis"/> found.</summary>
/// <param name="Steps">The checkpoints the table spans.</param>
/// <param name="Signals">The boundary signals, with their boundaries.</param>
/// <param name="Notes">Inputs that were missing, skipped or excluded, in words.</param>
/// <param name="ExcludedLlcSteps">Steps whose LLC estimate was untrusted or undefined and left out.</param>
/// <param name="Table">The combined stage table (with merged and dropped boundaries).</param>
/// <param name="Rows">The rows as stored in the <c>stages</c> table.</param>
public sealed record StageAnalysisResult(
    IReadOnlyList<long> Steps,
    IReadOnlyList<StageSignal> Signals,
    IReadOnlyList<string> Notes,
    IReadOnlyList<long> ExcludedLlcSteps,
    StageTable Table,
    IReadOnlyList<StageSummaryRow> Rows);
