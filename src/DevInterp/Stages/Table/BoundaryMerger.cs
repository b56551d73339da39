namespace DevInterp.Stages.Table;

/// <summary>Groups the boundaries of several signals (see <see cref="StageTableOptions.Tolerance"/>).</summary>
internal static class BoundaryMerger
{
    private readonly record struct Event(double Position, long Step, string Signal, bool RateChange);

    public static List<MergedBoundary> Merge(IReadOnlyList<BoundarySignal> signals, StageAxis axis, double tolerance)
    {
        var events = signals
            .SelectMany(s => s.Steps.Where(step => step > axis.First && step < axis.Last)
                .Select(step => new Event(axis.Position(step), step, s.Name, s.RateChanges.Contains(step))))
            .OrderBy(e => e.Position).ThenBy(e => e.Signal, StringComparer.Ordinal)
            .ToList();

        var groups = new List<List<Event>>();
        foreach (var e in events)
        {
            if (groups.Count > 0 && e.Position - groups[^1][0].Position <= tolerance) groups[^1].Add(e);
            else groups.Add([e]);
        }

        // Snap each group to a checkpoint; groups that land on the same checkpoint become one.
        var byStep = new SortedDictionary<long, List<Event>>();
        foreach (var group in groups)
        {
            long step = axis.NearestCheckpoint(Median(group.Select(e => e.Position).ToList()));
            if (step <= axis.First || step >= axis.Last) continue; // a stage must not be empty
            if (!byStep.TryGetValue(step, out var members)) byStep[step] = members = [];
            members.AddRange(group);
        }

        var result = new List<MergedBoundary>();
        foreach (var (step, members) in byStep)
        {
            var names = members.Select(e => e.Signal).Distinct().Order(StringComparer.Ordinal).ToArray();
            int available = signals.Count(s =>
                names.Contains(s.Name) || ((s.CoverageStart ?? axis.First) <= step && step <= (s.CoverageEnd ?? axis.Last)));
            result.Add(new MergedBoundary(step, names, members.Select(e => e.Step).Order().ToArray(), available, Confidence(names.Length, available))
            {
                RateChangeOnly = members.All(e => e.RateChange),
            });
        }
        return result;
    }

    /// <summary>
    /// Laplace's rule of succession: with k of n independent signals agreeing, (k + 1) / (n + 2) is the posterior mean
    /// probability that a further signal would agree, under a uniform prior. One signal alone gives 2/3, never 1; every
    /// one of four agreeing gives 5/6.
    /// </summary>
    public static double Confidence(int agreeing, int available) => (agreeing + 1.0) / (available + 2.0);

    private static double Median(List<double> sorted)
    {
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
