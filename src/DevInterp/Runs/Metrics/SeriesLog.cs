namespace DevInterp.Runs.Metrics;

/// <summary>
/// A metric log from named lists (a dict of lists in a summary file, the per-epoch lists of a final checkpoint). A list
/// named <c>step</c>/<c>steps</c>/<c>global_step</c> or <c>epoch</c>/<c>epochs</c> gives the positions of the lists of
/// its length; lists without one are kept as series to place against the run's checkpoints. List names become
/// singular metric names (<c>train_losses</c> → <c>train_loss</c>).
/// </summary>
public static class SeriesLog
{
    /// <summary>The log of <paramref name="lists"/> (raw names), or null when there is no list of at least two numbers.</summary>
    public static MetricLog? FromColumns(string file, IReadOnlyDictionary<string, double[]> lists)
    {
        var positions = new Dictionary<int, (long?[] Steps, long?[] Epochs)>();
        var metrics = new List<(string Name, double[] Values)>();
        foreach (var (key, values) in lists)
        {
            if (values.Length < 2) continue;
            var unit = MetricNames.PositionUnit(key);
            if (unit is not null && values.All(v => v == Math.Floor(v) && v >= 0 && v < 9e15))
            {
                var whole = values.Select(v => (long?)v).ToArray();
                var entry = positions.TryGetValue(values.Length, out var e) ? e : (new long?[values.Length], new long?[values.Length]);
                if (unit == StepUnit.Step) entry = (whole, entry.Item2);
                else entry = (entry.Item1, whole);
                positions[values.Length] = entry;
            }
            else if (unit is null && MetricNames.Column(key) is { } column)
            {
                metrics.Add((MetricNames.Singular(column), values));
            }
        }
        if (metrics.Count == 0) return null;
        var records = new List<MetricRecord>();
        var series = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var group in metrics.GroupBy(m => m.Values.Length))
        {
            if (positions.TryGetValue(group.Key, out var at))
            {
                for (int i = 0; i < group.Key; i++)
                {
                    var values = new Dictionary<string, double>(StringComparer.Ordinal);
                    foreach (var (name, list) in group) values.TryAdd(name, list[i]);
                    records.Add(new MetricRecord(at.Steps[i], at.Epochs[i], values));
                }
            }
            else
            {
                foreach (var (name, list) in group) series.TryAdd(name, list);
            }
        }
        return new MetricLog(file, records, series);
    }
}
