using System.Globalization;

namespace DevInterp.Runs.Metrics;

/// <summary>
/// Gives each checkpoint the logged value of each metric that describes it: the last row logged at or before the
/// checkpoint's position and after the previous checkpoint's. Loggers write a value at the checkpoint's own step (Hugging
/// Face's Trainer evaluates, then saves) or one step before it (PyTorch Lightning logs an epoch's validation under the
/// last batch's step, then saves with the step count); a value logged earlier in the interval still describes weights
/// closer to this checkpoint than to the previous one. Logs are taken in order: a metric an earlier log gave a checkpoint
/// is not replaced by a later log's.
/// </summary>
public static class MetricMatcher
{
    /// <summary>The metrics of each checkpoint (by step) from <paramref name="logs"/>, and one note per log saying what it gave.</summary>
    public static (Dictionary<long, Dictionary<string, double>> ByStep, List<string> Notes) Match(
        IReadOnlyList<RunCheckpoint> checkpoints, StepUnit unit, IEnumerable<(string Name, IReadOnlyList<MetricRecord> Records)> logs)
    {
        var byStep = checkpoints.ToDictionary(c => c.Step, _ => new Dictionary<string, double>(StringComparer.Ordinal));
        var notes = new List<string>();
        var steps = checkpoints.Select(c => c.Step).ToArray();
        string unitName = unit == StepUnit.Epoch ? "epoch" : "step";
        foreach (var (name, records) in logs)
        {
            var placed = records.Where(r => r.At(unit) is not null).OrderBy(r => r.At(unit)!.Value).ToList();
            if (placed.Count == 0)
            {
                notes.Add($"{name}: its rows give no {unitName}, and the run counts {unitName}s; not used");
                continue;
            }
            var given = new SortedSet<string>(StringComparer.Ordinal);
            int matched = 0, inWindow = 0, r = 0;
            for (int k = 0; k < steps.Length; k++)
            {
                long lower = k == 0 ? long.MinValue : steps[k - 1];
                var latest = new Dictionary<string, double>(StringComparer.Ordinal);
                while (r < placed.Count && placed[r].At(unit)!.Value <= steps[k])
                {
                    if (placed[r].At(unit)!.Value > lower)
                        foreach (var (metric, value) in placed[r].Values) latest[metric] = value;
                    r++;
                }
                bool any = false;
                if (latest.Count > 0) inWindow++;
                foreach (var (metric, value) in latest)
                {
                    if (byStep[steps[k]].TryAdd(metric, value)) { given.Add(metric); any = true; }
                }
                if (any) matched++;
            }
            notes.Add(matched > 0 ? string.Create(CultureInfo.InvariantCulture, $"{name}: {string.Join(", ", given)} for {matched} of {steps.Length} checkpoints")
                : inWindow > 0 ? $"{name}: its values for the checkpoints are already given by the logs above"
                : $"{name}: no row falls on or just before a checkpoint's {unitName}; not used");
        }
        return (byStep, notes);
    }
}
