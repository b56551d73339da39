using DevInterp.Storage;

namespace DevInterp.Reports;

/// <summary>A curve over the checkpoints: its name, what it is, and its finite points.</summary>
/// <param name="Name">The metric name (train_loss, test_accuracy…).</param>
/// <param name="Source">Where it comes from, in words.</param>
/// <param name="Points">The finite points, by step.</param>
public sealed record RunCurve(string Name, string Source, IReadOnlyList<(long Step, double Value)> Points);

/// <summary>
/// The run's curves as the report draws them: the metrics stored with the checkpoints, grouped into losses, accuracies
/// and families of other metrics (sv_1 … sv_8 is one family), with step counters left out; and, when the checkpoints
/// carry no loss, the training loss the LLC estimator computed at each checkpoint (L(w*)).
/// </summary>
public static class RunCurves
{
    /// <summary>Metric names that count steps, epochs or samples rather than measure the model.</summary>
    public static IReadOnlyList<string> Counters { get; } =
        ["step", "steps", "global_step", "epoch", "epochs", "iteration", "iter", "iterations", "batch", "batches", "num_steps",
         "samples", "samples_seen", "examples_seen", "tokens", "tokens_seen", "time", "wall_time", "elapsed", "elapsed_seconds", "lr_step"];

    /// <summary>True for a loss metric (its name holds "loss").</summary>
    public static bool IsLoss(string name) => name.Contains("loss", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for an accuracy metric (its name holds "acc" and not "loss").</summary>
    public static bool IsAccuracy(string name) => name.Contains("acc", StringComparison.OrdinalIgnoreCase) && !IsLoss(name);

    /// <summary>Every metric of the checkpoints table with its finite points, in name order.</summary>
    public static IReadOnlyList<RunCurve> Metrics(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Checkpoints.SelectMany(c => c.Metrics.Keys).Distinct().Order(StringComparer.Ordinal)
            .Select(name => new RunCurve(name, "stored with the checkpoints", data.Checkpoints
                .Where(c => c.Metrics.TryGetValue(name, out double v) && double.IsFinite(v)).OrderBy(c => c.Step)
                .Select(c => (c.Step, c.Metrics[name])).ToList()))
            .Where(c => c.Points.Count > 0).ToList();
    }

    /// <summary>
    /// True for a metric that counts rather than measures: a known counter name, or non-decreasing whole numbers that
    /// are an exact affine function of the step (an epoch counter beside optimizer steps).
    /// </summary>
    public static bool IsCounter(RunCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (Counters.Contains(curve.Name.ToLowerInvariant())) return true;
        var p = curve.Points;
        if (p.Count < 3 || p.Any(q => q.Value != Math.Round(q.Value))) return false;
        for (int i = 1; i < p.Count; i++) if (p[i].Value < p[i - 1].Value) return false;
        double slope = (p[^1].Value - p[0].Value) / Math.Max(1, p[^1].Step - p[0].Step);
        if (!(slope > 0)) return false;
        return p.All(q => Math.Abs(p[0].Value + slope * (q.Step - p[0].Step) - q.Value) <= 0.5 + 1e-9 * Math.Abs(q.Value));
    }

    /// <summary>
    /// The losses to draw: the loss metrics of the checkpoints, or, without any, the LLC estimator's L(w*) per checkpoint
    /// (the training loss at the checkpoint's weights, averaged over the sampler's batches).
    /// </summary>
    public static IReadOnlyList<RunCurve> Losses(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var losses = Metrics(data).Where(c => IsLoss(c.Name)).ToList();
        if (losses.Count > 0) return losses;
        var fromLlc = data.Llc.Where(r => double.IsFinite(r.LossAtCenter)).OrderBy(r => r.Step).Select(r => (r.Step, r.LossAtCenter)).ToList();
        return fromLlc.Count == 0 ? [] : [new RunCurve("train_loss", "L(w*) computed by the LLC estimator at each checkpoint", fromLlc)];
    }

    /// <summary>
    /// How a curve is drawn beside its kin: training curves solid, held-out ones (test, val, eval) dotted, one colour per
    /// split, so that train and test read the same way in every panel.
    /// </summary>
    public static (string Colour, bool Dotted) Style(string name, int index)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.ToLowerInvariant();
        if (n.Contains("test", StringComparison.Ordinal)) return ("#d62728", true);
        if (n.Contains("val", StringComparison.Ordinal) || n.Contains("eval", StringComparison.Ordinal)) return ("#ff7f0e", true);
        if (n.Contains("train", StringComparison.Ordinal) || index == 0) return ("#1f77b4", false);
        return (Palette[index % Palette.Length], false);
    }

    private static readonly string[] Palette = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

    /// <summary>The accuracy metrics.</summary>
    public static IReadOnlyList<RunCurve> Accuracies(ReportData data) => Metrics(data).Where(c => IsAccuracy(c.Name)).ToList();

    /// <summary>The other metrics, grouped by family (the name without a trailing _N), counters left out.</summary>
    public static IReadOnlyList<(string Family, IReadOnlyList<RunCurve> Members)> Others(ReportData data, out IReadOnlyList<string> counters)
    {
        var others = Metrics(data).Where(c => !IsLoss(c.Name) && !IsAccuracy(c.Name)).ToList();
        counters = others.Where(IsCounter).Select(c => c.Name).ToList();
        var hidden = counters.ToHashSet();
        return others.Where(c => !hidden.Contains(c.Name))
            .GroupBy(c => Family(c.Name))
            .Select(g => (g.Key, (IReadOnlyList<RunCurve>)g.OrderBy(c => Suffix(c.Name)).ThenBy(c => c.Name, StringComparer.Ordinal).ToList()))
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
    }

    private static string Family(string name)
    {
        int i = name.Length;
        while (i > 0 && char.IsAsciiDigit(name[i - 1])) i--;
        if (i == name.Length || i == 0) return name;
        return name[..i].TrimEnd('_', '-', '.');
    }

    private static long Suffix(string name)
    {
        int i = name.Length;
        while (i > 0 && char.IsAsciiDigit(name[i - 1])) i--;
        return i < name.Length && long.TryParse(name[i..], out long v) ? v : -1;
    }
}
