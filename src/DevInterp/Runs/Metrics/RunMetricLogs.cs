using DevInterp.Checkpoints;

namespace DevInterp.Runs.Metrics;

/// <summary>
/// Reads the metrics a run keeps outside its checkpoints' own scalars and gives each checkpoint its values
/// (<see cref="RunCheckpoint.Metrics"/>), in this order of precedence: the newest Hugging Face <c>trainer_state.json</c>
/// (<c>log_history</c>), CSV / JSON-lines / JSON / pickle logs in the checkpoint folder and the folders above it up to
/// the run folder (Lightning's <c>metrics.csv</c>, <c>train_log.jsonl</c>, <c>history.pkl</c>) or, for a run folder named
/// <c>checkpoints/</c> and the like, in the folder above it, the per-epoch lists of
/// step-less files such as <c>final.pth</c>, and values in Lightning file names (<c>val_loss=0.37</c>).
/// </summary>
internal static class RunMetricLogs
{
    public static List<RunCheckpoint> Attach(string runDirectory, List<RunCheckpoint> ordered, StepUnit unit, DiscoveredRun found,
        List<SkippedEntry> skipped, List<string> notes)
    {
        var logs = new List<(string Name, IReadOnlyList<MetricRecord> Records)>();
        var scalars = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, double> ScalarsOf(RunCheckpoint c)
        {
            if (scalars.TryGetValue(c.Path, out var known)) return known;
            IReadOnlyDictionary<string, double> result;
            try
            {
                using var reader = c.Open();
                result = MetadataMetrics.From(reader.Metadata);
            }
            catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException)
            {
                result = new Dictionary<string, double>();
            }
            return scalars[c.Path] = result;
        }
        string Relative(string path) => Path.GetRelativePath(runDirectory, path).Replace('\\', '/');
        void Add(MetricLog log, long? anchor)
        {
            if (log.Records.Count > 0) logs.Add((Relative(log.File), log.Records));
            foreach (var group in log.Series.GroupBy(s => s.Value.Length))
            {
                var (records, note) = SeriesPlacement.Place(group.ToDictionary(g => g.Key, g => g.Value, StringComparer.Ordinal),
                    ordered, unit, anchor, ScalarsOf, Relative(log.File));
                notes.Add(note);
                if (records.Count > 0) logs.Add((Relative(log.File), records));
            }
        }

        // Hugging Face: the newest checkpoint's trainer_state.json holds the whole history so far.
        var newestState = ordered.Where(c => Directory.Exists(c.Path)).Select(c => Path.Combine(c.Path, "trainer_state.json"))
            .LastOrDefault(File.Exists);
        if (newestState is not null && TextMetricLogs.ReadJson(newestState, out _) is { } state) Add(state, null);

        foreach (var scan in Enumerable.Reverse(found.Folders))
        {
            foreach (string file in scan.LogFiles)
            {
                var log = ReadLog(file);
                skipped.Add(new SkippedEntry(file, log is null ? RunFileRoles.ForOtherFile(Path.GetFileName(file)) : "metrics log: read into the checkpoints' metrics"));
                if (log is not null) Add(log, null);
            }
        }
        // Beside a checkpoints/ folder given as the run (outside the run: used, not listed).
        foreach (string file in found.ParentLogFiles)
            if (ReadLog(file) is { } log) Add(log, null);

        // Lists beside the weights of final.pth and the like (placed in the run or not).
        var placed = ordered.ToDictionary(c => c.Path, c => c.Step, StringComparer.Ordinal);
        foreach (string file in found.Folders.SelectMany(f => f.Stepless).Where(File.Exists))
        {
            if (PickledMetricLog.Read(file, out _) is { IsEmpty: false } log)
                Add(log, placed.TryGetValue(file, out long at) ? at : null);
        }

        var fromNames = ordered.Select(c => (c, Values: CheckpointName.Values(c.Name))).Where(x => x.Values.Count > 0)
            .Select(x => new MetricRecord(unit == StepUnit.Step ? x.c.Step : null, unit == StepUnit.Epoch ? x.c.Step : null,
                x.Values.ToDictionary(kv => MetricNames.Column(kv.Key) ?? kv.Key, kv => kv.Value, StringComparer.Ordinal)))
            .ToList();
        if (fromNames.Count > 0) logs.Add(("file names", fromNames));
        if (logs.Count == 0) return ordered;

        var (byStep, matchNotes) = MetricMatcher.Match(ordered, unit, logs);
        notes.AddRange(matchNotes);
        return ordered.Select(c => byStep[c.Step].Count == 0 ? c : c with { Metrics = byStep[c.Step] }).ToList();
    }

    // A CSV/TSV, JSON lines, JSON or pickle log; null when the file holds no metrics.
    private static MetricLog? ReadLog(string file)
    {
        var log = Path.GetExtension(file).ToLowerInvariant() switch
        {
            ".csv" or ".tsv" => TextMetricLogs.ReadCsv(file, out _),
            ".jsonl" => TextMetricLogs.ReadJsonLines(file, out _),
            ".json" => TextMetricLogs.ReadJson(file, out _),
            _ => PickledMetricLog.Read(file, out _),
        };
        return log is { IsEmpty: false } ? log : null;
    }
}
