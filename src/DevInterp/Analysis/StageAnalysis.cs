using DevInterp.Llc;
using DevInterp.Runs;
using DevInterp.Stages;
using DevInterp.Stages.Costs;
using DevInterp.Stages.Search;
using DevInterp.Stages.Table;
using DevInterp.Stages.Trends;
using System.Globalization;
using DevInterp.Storage;

namespace DevInterp.Analysis;

/// <summary>
/// The combined stage table of an analysis folder, from whatever the store holds (any subset of these works). Each
/// kind of evidence is one signal, so the confidence of a boundary counts kinds that agree, not layers:
/// <list type="bullet">
/// <item><c>loss</c>: the breaks of ln(train_loss) (or of a plain <c>loss</c> when there is no train_loss) (<see cref="TrendBreaks"/>: where the curve changes regime on the
/// run's time axis, large against its own noise and scale); losses below <see cref="LossFloor"/> of the largest are
/// raised to that floor (a converged loss's last decades are numerical noise, not stages). Likewise <c>test_loss</c>
/// (or val_loss, eval_loss), and accuracy metrics on their own scale.</item>
/// <item><c>similarity</c>: the bursts of the mean normalized adjacent-step change over layers
/// (<see cref="SimilarityDrops"/>): a transition is a burst of representational change.</item>
/// <item><c>llc</c>: the breaks of the mean LLC per step, its estimates' standard error as the noise floor. Estimates
/// with an <c>untrusted</c> verdict (or a non-finite mean) are excluded; <c>doubtful</c> ones are kept.</item>
/// <item><c>dynamics</c>: the checkpoints essential dynamics flagged where the path turns by at least
/// <see cref="MinDynamicsTurnDegrees"/> or reverses, away from the ends of the run where the path's smoothing is one-sided.</item>
/// </list>
/// Every signal shares one time axis (<see cref="TimeAxis"/> of all the run's checkpoints) and one noise model: a change
/// must reach <see cref="SignificanceZ"/> standard errors, <see cref="RelativeFloor"/> of the signal's range and an
/// absolute floor in the signal's units (<see cref="LossAbsoluteFloor"/>, <see cref="AccuracyAbsoluteFloor"/>,
/// <see cref="LlcAbsoluteFloor"/>, <see cref="SimilarityAbsoluteFloor"/>). With an explicit penalty
/// (<see cref="StageSettings.Penalty"/>) the loss and accuracy curves use the classic change-point search on their
/// levels instead (the settings' cost, method and minimum segment size). Boundaries of different signals within
/// <see cref="StageSettings.Tolerance"/> checkpoints are merged (<see cref="StageTable"/>). The table spans every
/// checkpoint any table mentions; its LLC columns come from the usable LLC estimates and its loss column from
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

    /// <summary>
    /// Losses below this fraction of the largest loss are raised to it before the logarithm: float32 losses carry about seven
    /// digits, so a loss a million times below its start is at the resolution of its own arithmetic.
    /// </summary>
    public const double LossFloor = 1e-6;

    /// <summary>A change must move a signal by at least this fraction of its range (largest minus smallest value).</summary>
    public const double RelativeFloor = 0.1;

    /// <summary>A change must reach this many standard errors of the signal's own noise.</summary>
    public const double SignificanceZ = 4;

    /// <summary>Least change of ln(loss) that counts: 0.05, a 5% change of the loss.</summary>
    public const double LossAbsoluteFloor = 0.05;

    /// <summary>Least change of an accuracy that counts: 2 percentage points.</summary>
    public const double AccuracyAbsoluteFloor = 0.02;

    /// <summary>Least change of the LLC that counts: 0.5, one parameter's worth for a regular model (λ = d/2).</summary>
    public const double LlcAbsoluteFloor = 0.5;

    /// <summary>Least change a similarity burst must make: 0.01 of 1 − similarity, summed over its intervals, mean over layers.</summary>
    public const double SimilarityAbsoluteFloor = 0.01;

    /// <summary>
    /// Boundaries of different signals within this fraction of the run's checkpoints (or <see cref="StageSettings.Tolerance"/>
    /// checkpoints, whichever is more) are one transition: signals place the same change with an uncertainty that grows with
    /// the number of checkpoints it spans, so on a dense schedule two checkpoints are too strict.
    /// </summary>
    public const double MergeFraction = 0.025;

    /// <summary>The merge tolerance, in checkpoints, for a run of <paramref name="checkpoints"/> checkpoints.</summary>
    public static double MergeTolerance(StageSettings settings, int checkpoints)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Math.Max(settings.Tolerance, MergeFraction * (checkpoints - 1));
    }

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
    public static StageAnalysisResult Run(AnalysisStore store, StageSettings settings, DynamicsSettings? dynamics = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = Compute(store, settings, dynamics);
        store.Write(PartKey.Whole, result.Rows);
        return result;
    }

    /// <summary>Builds the stage table from the store's tables without writing anything.</summary>
    /// <param name="store">The analysis store.</param>
    /// <param name="settings">The stage settings.</param>
    /// <param name="dynamics">The essential-dynamics settings the curvature was computed with (its smoothing width sets how
    /// far from the ends of the run a flagged turn must lie); null for the defaults.</param>
    /// <exception cref="RunFormatException">The store holds results for fewer than 2 checkpoints.</exception>
    /// <exception cref="ArgumentException">Settings out of range.</exception>
    public static StageAnalysisResult Compute(AnalysisStore store, StageSettings settings, DynamicsSettings? dynamics = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        var options = ChangePoints(settings);
        var checkpoints = store.Read<CheckpointRow>();
        var llcRows = store.Read<LlcRow>();
        var similarity = SimilarityMatrices.Read(store);
        var curvature = store.Read<DynamicsCurvatureRow>();
        var trajectory = store.Read<DynamicsCoordinateRow>();

        var axisSteps = checkpoints.Select(c => c.Step)
            .Concat(llcRows.Select(r => r.Step))
            .Concat(similarity.SelectMany(m => m.Matrix.Steps))
            .Concat(trajectory.Select(r => r.Step))
            .Distinct().Order().ToArray();
        if (axisSteps.Length < 2)
            throw new RunFormatException(store.Folder, $"holds results for {axisSteps.Length} checkpoint(s); stages need at least 2 (run devinterp llc, similarity or dynamics into it first)");
        var time = TimeAxis.For(axisSteps);

        var signals = new List<StageSignal>();
        var notes = new List<string> { $"time axis: {time.Describe()} (the checkpoints' spacing is most even on it)" };
        StepCurve? lossCurve = null;
        var settles = new List<(string Signal, long Step, bool Settled)?>();
        int minTrend = Math.Max(3, settings.MinSegmentSize);

        foreach (var (metric, name) in LossMetrics)
        {
            // Many runs log the training loss as plain 'loss' (a summary pickle, a custom CSV).
            var curve = Metric(checkpoints, metric) ?? (metric == "train_loss" ? Metric(checkpoints, "loss") : null);
            if (curve is null) continue;
            if (metric == "train_loss") lossCurve = curve;
            double floor = LossFloor * curve.Values.Max();
            var logValues = curve.Values.Select(v => Math.Log(Math.Max(v, floor))).ToArray();
            settles.Add(AddCurve(signals, notes, name, "loss", curve.Steps, logValues, LossAbsoluteFloor, null, settings, options, time, minTrend));
        }
        foreach (string metric in AccuracyMetrics)
            if (Metric(checkpoints, metric) is { } curve)
                settles.Add(AddCurve(signals, notes, metric, "metric", curve.Steps, curve.Values.ToArray(), AccuracyAbsoluteFloor, null, settings, options, time, minTrend));
        AddSettled(signals, notes, settles);

        if (SimilarityDrops.Curve(similarity) is { } drops)
        {
            var bursts = SimilarityDrops.Bursts(drops, time, RelativeFloor, SignificanceZ, SimilarityAbsoluteFloor, options.MinSegmentSize);
            var weak = bursts.Where(b => !b.Kept).ToList();
            if (weak.Count > 0)
                notes.Add($"similarity: {weak.Count} peak(s) below the floors ignored ({string.Join(", ", weak.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Step}: {b.Share:P0} of the change")))})");
            signals.Add(new StageSignal("similarity", "similarity:" + string.Join(",", drops.Layers.Select(l => $"{l.Layer}={l.Measure}")),
                new BoundarySignal("similarity", bursts.Where(b => b.Kept).Select(b => b.Step).ToArray()) { CoverageStart = drops.CoverageStart, CoverageEnd = drops.CoverageEnd }));
        }
        else if (similarity.Count > 0) notes.Add("similarity: no layer's representation changed between checkpoints (or every change is undefined); no similarity signal");

        StepCurve? llcCurve = null;
        var excluded = llcRows.Where(r => r.Verdict == LlcVerdict.Untrusted || !double.IsFinite(r.Mean)).Select(r => r.Step).ToArray();
        var usable = llcRows.Where(r => r.Verdict != LlcVerdict.Untrusted && double.IsFinite(r.Mean)).OrderBy(r => r.Step).ToArray();
        if (excluded.Length > 0) notes.Add($"llc: {excluded.Length} untrusted or undefined estimate(s) excluded (steps {string.Join(", ", excluded)})");
        if (usable.Length >= 2)
        {
            llcCurve = new StepCurve(usable.Select(r => r.Step).ToArray(), usable.Select(r => r.Mean).ToArray());
            // The estimates' own error: the standard error of the chains' mean (median over the checkpoints).
            var errors = usable.Select(r => r.Std / Math.Sqrt(Math.Max(1, r.Chains - r.DroppedChains))).Where(double.IsFinite).ToArray();
            double? noiseFloor = errors.Length > 0 ? NoiseScale.Median(errors) : null;
            _ = AddCurve(signals, notes, "llc", "llc", llcCurve.Steps, llcCurve.Values.ToArray(), LlcAbsoluteFloor, noiseFloor, settings with { Penalty = null }, options, time, minTrend);
        }
        else if (llcRows.Count > 0) notes.Add($"llc: {usable.Length} usable estimate(s); no llc signal");

        if (curvature.Count > 0) AddDynamics(signals, notes, curvature, dynamics ?? new DynamicsSettings());
        if (signals.Count == 0) notes.Add("no boundary signal: the store holds no loss metric, similarity, LLC or essential dynamics; one stage");

        double tolerance = MergeTolerance(settings, axisSteps.Length);
        var table = StageTable.Build(new StageTableInput(axisSteps, signals.Select(s => s.Boundaries).ToList(), llcCurve, lossCurve),
            new StageTableOptions(tolerance, ToleranceUnit.Checkpoints));
        foreach (var dropped in table.DroppedBoundaries)
            notes.Add(dropped.RateChangeOnly && dropped.Confidence < StageTableOptions.Default.MinRateChangeConfidence
                ? string.Create(CultureInfo.InvariantCulture,
                    $"boundary at {dropped.Step} ({string.Join(", ", dropped.Signals)}) dropped: only a change of rate, seen by {dropped.Signals.Count} of {dropped.AvailableSignals} signals (confidence {dropped.Confidence:F2} < {StageTableOptions.Default.MinRateChangeConfidence:F2})")
                : $"boundary at {dropped.Step} ({string.Join(", ", dropped.Signals)}) dropped: it would leave a stage of fewer than {StageTableOptions.Default.MinEndStageCheckpoints} checkpoints at an end of the run");
        return new StageAnalysisResult(axisSteps, signals, notes, excluded, table, table.Rows.Select(StageSummaryRow.From).ToList());
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
    /// The penalty of the classic change-point search on <paramref name="signal"/> (used only when the settings give one):
    /// the settings' own, else the cost's default with the noise level of each column at least
    /// <see cref="RelativeFloor"/> × its range (l2, l1; the normal and rbf costs are scale-free).
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
            return RelativeFloor * (column.Max() - column.Min());
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

    // The run's behaviour has settled where the last of its loss and accuracy curves settles (SettlePoint): from there no
    // curve changes by as much as a stage must. That curve's boundaries gain the step (a smooth approach to a final value
    // has no kink for the trend breaks to cut at). Curves that never settle keep the run unsettled: no boundary.
    private static void AddSettled(List<StageSignal> signals, List<string> notes, List<(string Signal, long Step, bool Settled)?> settles)
    {
        if (settles.Count == 0 || settles.Any(s => s is null)) return; // an explicit penalty: no noise model, no settling
        var open = settles.Where(s => !s!.Value.Settled).Select(s => s!.Value.Signal).ToList();
        if (open.Count > 0)
        {
            notes.Add($"settled: {string.Join(", ", open)} still change(s) by a stage's worth at the end of the run; no settled stage");
            return;
        }
        var last = settles.Select(s => s!.Value).MaxBy(s => s.Step);
        int k = signals.FindIndex(s => s.Name == last.Signal);
        if (k < 0 || last.Step <= signals[k].Boundaries.CoverageStart) return; // nothing ever moved
        var b = signals[k].Boundaries;
        notes.Add($"settled: from step {last.Step} no loss or accuracy curve changes by a stage's worth ({last.Signal} settles last)");
        // Settling is a change of state, whatever trend break may sit at the same step.
        signals[k] = signals[k] with
        {
            Boundaries = b with { Steps = b.Steps.Append(last.Step).Distinct().Order().ToArray(), RateChanges = b.RateChanges.Where(s => s != last.Step).ToArray() },
        };
    }

    // One curve's boundaries: its trend breaks under the noise model, or, with an explicit penalty, the change points of its
    // level. Returns where the curve settles (Settled false when it does not; null with an explicit penalty).
    private static (string Signal, long Step, bool Settled)? AddCurve(List<StageSignal> signals, List<string> notes, string name, string source, IReadOnlyList<long> steps,
        double[] values, double absoluteFloor, double? noiseFloor, StageSettings settings, ChangePointOptions options, TimeAxis time, int minTrend)
    {
        if (settings.Penalty is not null)
        {
            if (steps.Count < 2 * options.MinSegmentSize)
            {
                notes.Add($"{name}: {steps.Count} point(s), too few for change points with segments of at least {options.MinSegmentSize}; no signal");
                return null;
            }
            var signal = Signals.FromSeries(values);
            var changes = ChangePointDetector.Detect(signal, options with { Penalty = Penalty(settings, options, signal) });
            signals.Add(new StageSignal(name, source, BoundarySignal.FromChangePoints(name, changes, steps)));
            return null;
        }
        var found = TrendBreaks.Find(steps, values, new TrendBreakOptions(RelativeFloor, absoluteFloor, SignificanceZ, minTrend, noiseFloor), time);
        if (found.Rejected.Count > 0)
            notes.Add($"{name}: {found.Rejected.Count} candidate break(s) that fail the noise model ignored ({string.Join(", ", found.Rejected.Select(b => Why(b)))})");
        signals.Add(new StageSignal(name, source, new BoundarySignal(name, found.BoundarySteps)
        {
            CoverageStart = steps[0],
            CoverageEnd = steps[^1],
            RateChanges = found.RateChangeSteps,
        }));
        double bar = Math.Max(Math.Max(RelativeFloor * found.Range, absoluteFloor), SignificanceZ * found.Noise);
        return SettlePoint.Find(time.Positions(steps), values, bar) is { } settled ? (name, steps[settled], true) : (name, steps[^1], false);
    }

    // Why a candidate break failed: too small against its bar, or a bend a parabola follows near it as well as two lines.
    private static string Why(TrendBreak b) => b.Magnitude < b.Bar
        ? string.Create(CultureInfo.InvariantCulture, $"{b.Step}: {b.Magnitude:G2} < {b.Bar:G2}")
        : string.Create(CultureInfo.InvariantCulture, $"{b.Step}: a bend, not a kink (two lines / parabola {b.SmoothFit:G2} > {TrendBreakOptions.Default.MaxSmoothFit:G2})");

    // Flagged turns of the essential-dynamics path: large turns or reversals, not within the smoothing's reach of either end.
    private static void AddDynamics(List<StageSignal> signals, List<string> notes, IReadOnlyList<DynamicsCurvatureRow> curvature, DynamicsSettings settings)
    {
        var ordered = curvature.OrderBy(c => c.Step).ToList();
        var steps = ordered.Select(c => c.Step).ToArray();
        bool logAxis = string.Equals(settings.SmoothingAxis, "log_step", StringComparison.OrdinalIgnoreCase)
            || string.Equals(settings.SmoothingAxis, "logstep", StringComparison.OrdinalIgnoreCase);
        double reach = 2 * settings.SmoothingSigma;
        double Position(int i) => logAxis ? Math.Log(steps[i] + 1.0) : i;
        bool nearEnd(int i) => Math.Min(Position(i) - Position(0), Position(steps.Length - 1) - Position(i)) <= reach;
        var turns = new List<long>();
        int small = 0, edge = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            var c = ordered[i];
            if (!c.Flagged) continue;
            if (!(Math.Abs(c.TurningAngleDegrees) >= MinDynamicsTurnDegrees || (c.Reason ?? "").Contains("reversal", StringComparison.Ordinal))) { small++; continue; }
            if (nearEnd(i)) { edge++; continue; }
            turns.Add(c.Step);
        }
        if (small > 0) notes.Add($"dynamics: {small} curvature peak(s) turning by less than {MinDynamicsTurnDegrees}° ignored");
        if (edge > 0) notes.Add($"dynamics: {edge} flagged turn(s) within the smoothing's reach (2σ) of an end of the run ignored (the smoothing is one-sided there)");
        signals.Add(new StageSignal("dynamics", "essential_dynamics", new BoundarySignal("dynamics", turns) { CoverageStart = steps[0], CoverageEnd = steps[^1] }));
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
