using System.Globalization;

namespace DevInterp.Runs.Metrics;

/// <summary>
/// Places lists that carry no positions (<c>train_losses</c> in a final checkpoint: one value per epoch, or one per
/// saved checkpoint) on the run's axis. The candidate alignments are: value i at position i (a loop from 0), value i at
/// the file's own position − (length − 1) + i (the list ends where the file was saved), and value k at the k-th checkpoint
/// (one value per checkpoint). When other checkpoints carry the same metric as a scalar, the alignment that reproduces
/// them is used, and one that contradicts them never is; without such scalars the alignment is taken only when the
/// lengths leave one reading (a list one longer than the file's position starts at 0; a list as long as the checkpoints
/// are many, on a run not saved at 0, 1, 2, ..., is one value per checkpoint), else the list is not used and a note says
/// why.
/// </summary>
public static class SeriesPlacement
{
    /// <summary>Relative tolerance of a match between a list value and a checkpoint's scalar (float32 round-trips).</summary>
    public const double Tolerance = 1e-6;

    /// <summary>The records of <paramref name="series"/> (all of one length) placed on <paramref name="checkpoints"/>, with a note.</summary>
    /// <param name="series">Lists of one length, by metric name.</param>
    /// <param name="checkpoints">The run's checkpoints in order.</param>
    /// <param name="unit">What the run's positions count.</param>
    /// <param name="anchor">The position of the file the lists came from, when it is one of the checkpoints.</param>
    /// <param name="scalarsOf">The metrics a checkpoint carries itself (opened on demand; at most a few are asked).</param>
    /// <param name="file">The file's name, for the note.</param>
    public static (IReadOnlyList<MetricRecord> Records, string Note) Place(IReadOnlyDictionary<string, double[]> series,
        IReadOnlyList<RunCheckpoint> checkpoints, StepUnit unit, long? anchor,
        Func<RunCheckpoint, IReadOnlyDictionary<string, double>> scalarsOf, string file)
    {
        int length = series.Values.First().Length;
        string names = string.Join(", ", series.Keys);
        string unitName = unit == StepUnit.Epoch ? "epoch" : "step";
        var positions = checkpoints.Select(c => c.Step).ToArray();
        var candidates = new List<(Alignment Kind, string Name, Func<int, long> At)> { (Alignment.FromZero, "value i at " + unitName + " i", i => i) };
        if (anchor is { } p && p - length + 1 > 0)
            candidates.Add((Alignment.EndsAtFile, $"the last value at the file's own {unitName} {p}", i => p - length + 1 + i));
        bool denseFromZero = positions.Length == length && positions.Select((s, i) => s == i).All(x => x);
        if (positions.Length == length && !denseFromZero) candidates.Add((Alignment.PerCheckpoint, "one value per checkpoint", i => positions[i]));

        // Check each alignment against the scalars of up to three checkpoints other than the file itself.
        var witnesses = checkpoints.Where(c => c.Step != anchor).Reverse().Take(3).Select(c => (c.Step, Scalars: scalarsOf(c)))
            .Where(w => series.Keys.Any(w.Scalars.ContainsKey)).ToList();
        var verdicts = candidates.Select(c => Check(c.At, length, series, witnesses)).ToList();
        int chosen = verdicts.FindIndex(v => v.Agree > 0 && v.Disagree == 0);
        string how;
        if (chosen >= 0)
        {
            how = $"{candidates[chosen].Name} (matches the checkpoints' own values)";
        }
        else if (verdicts.Any(v => v.Agree + v.Disagree > 0))
        {
            return ([], $"{file}: {names}: {length} values that match the checkpoints' own values at no alignment; not used");
        }
        else
        {
            var kind = Default(length, anchor, positions);
            if (kind == Alignment.PerCheckpoint && denseFromZero) kind = Alignment.FromZero; // the same reading
            chosen = candidates.FindIndex(c => c.Kind == kind);
            if (chosen < 0)
            {
                return ([], $"{file}: {names}: {length} values whose {unitName}s cannot be told " +
                    $"({positions.Length} checkpoints{(anchor is { } a ? $", the file is at {unitName} {a}" : "")}); not used");
            }
            how = candidates[chosen].Name;
        }
        var at = candidates[chosen].At;
        var onAxis = new HashSet<long>(positions);
        var records = new List<MetricRecord>();
        for (int i = 0; i < length; i++)
        {
            long position = at(i);
            if (!onAxis.Contains(position)) continue; // only checkpoints get rows
            var values = series.ToDictionary(kv => kv.Key, kv => kv.Value[i], StringComparer.Ordinal);
            records.Add(unit == StepUnit.Step ? new MetricRecord(position, null, values) : new MetricRecord(null, position, values));
        }
        return (records, string.Create(CultureInfo.InvariantCulture, $"{file}: {names} ({length} values; {how})"));
    }

    private enum Alignment { None, FromZero, EndsAtFile, PerCheckpoint }

    // Without scalars to check against, only readings the lengths leave no doubt about.
    private static Alignment Default(int length, long? anchor, long[] positions)
    {
        // a loop from 0 up to the file's position (or the last checkpoint's), saving at its end
        if (anchor is { } p && (length == p + 1 || length == p)) return Alignment.FromZero;
        if (anchor is null && positions.Length > 0 && length == positions[^1] + 1) return Alignment.FromZero;
        return positions.Length == length ? Alignment.PerCheckpoint : Alignment.None;
    }

    private static (int Agree, int Disagree) Check(Func<int, long> at, int length, IReadOnlyDictionary<string, double[]> series,
        IReadOnlyList<(long Step, IReadOnlyDictionary<string, double> Scalars)> witnesses)
    {
        int agree = 0, disagree = 0;
        for (int i = 0; i < length; i++)
        {
            long position = at(i);
            foreach (var (step, scalars) in witnesses)
            {
                if (step != position) continue;
                foreach (var (name, values) in series)
                {
                    if (!scalars.TryGetValue(name, out double expected)) continue;
                    double v = values[i];
                    if (Math.Abs(v - expected) <= Tolerance * Math.Max(1, Math.Abs(expected))) agree++;
                    else disagree++;
                }
            }
        }
        // A witness outside the alignment's span says nothing about it.
        return (agree, disagree);
    }
}
