using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DevInterp.Runs.Metrics;

/// <summary>
/// Metric logs kept as text beside checkpoints: a CSV/TSV with a step or epoch column (PyTorch Lightning's CSVLogger
/// <c>metrics.csv</c>, hand-written <c>log.csv</c>), JSON lines with a step or epoch key, a Hugging Face Trainer
/// <c>trainer_state.json</c> (its <c>log_history</c>), and JSON summaries (a dict of lists, or a list of rows). Each
/// reader returns null, with the reason, for a file that is not a metric log (data, a config).
/// </summary>
public static class TextMetricLogs
{
    /// <summary>Reads a CSV (or, for <c>.tsv</c>, tab-separated) log whose header has a step or epoch column.</summary>
    public static MetricLog? ReadCsv(string path, out string why)
    {
        char separator = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';
        var lines = File.ReadLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count < 2) { why = "no rows"; return null; }
        var header = Split(lines[0], separator);
        int stepColumn = -1, epochColumn = -1;
        for (int i = 0; i < header.Count; i++)
        {
            var unit = MetricNames.PositionUnit(header[i].Trim());
            if (unit == StepUnit.Step && stepColumn < 0) stepColumn = i;
            else if (unit == StepUnit.Epoch && epochColumn < 0) epochColumn = i;
        }
        if (stepColumn < 0 && epochColumn < 0) { why = "no step or epoch column"; return null; }
        var names = header.Select(h => MetricNames.Column(h.Trim())).ToArray();
        var usable = new bool[header.Count];
        for (int i = 0; i < usable.Length; i++) usable[i] = i != stepColumn && i != epochColumn && names[i] is not null;
        var rows = new List<(long? Step, long? Epoch, double?[] Cells)>();
        foreach (string line in lines.Skip(1))
        {
            var cells = Split(line, separator);
            var values = new double?[header.Count];
            for (int i = 0; i < header.Count && i < cells.Count; i++)
            {
                string cell = cells[i].Trim();
                if (cell.Length == 0 || !usable[i]) continue;
                if (TryNumber(cell, out double v)) values[i] = v;
                else usable[i] = false; // a column of text (timestamps, names) is not a metric
            }
            rows.Add((stepColumn >= 0 && cells.Count > stepColumn ? WholeNumber(cells[stepColumn]) : null,
                epochColumn >= 0 && cells.Count > epochColumn ? WholeNumber(cells[epochColumn]) : null, values));
        }
        var records = new List<MetricRecord>(rows.Count);
        foreach (var (step, epoch, cells) in rows)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int i = 0; i < cells.Length; i++)
                if (usable[i] && cells[i] is { } v) values.TryAdd(names[i]!, v);
            if (values.Count > 0) records.Add(new MetricRecord(step, epoch, values));
        }
        why = records.Count == 0 ? "no numeric metric columns" : "";
        return records.Count == 0 ? null : MetricLog.Of(path, records);
    }

    /// <summary>Reads JSON lines, one object per line, each with a step or epoch key.</summary>
    public static MetricLog? ReadJsonLines(string path, out string why)
    {
        var records = new List<MetricRecord>();
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (JsonException)
            {
                why = "not JSON lines";
                return null;
            }
            if (node is JsonObject o && Record(o, rename: null) is { } r) records.Add(r);
        }
        why = records.Count == 0 ? "no lines with a step or epoch and a number" : "";
        return records.Count == 0 ? null : MetricLog.Of(path, records);
    }

    /// <summary>
    /// Reads a JSON file: a Trainer state (<c>log_history</c>; its <c>loss</c> is the training loss and becomes
    /// <c>train_loss</c>; the closing summary row is left out), a list of rows, or a dict of lists.
    /// </summary>
    public static MetricLog? ReadJson(string path, out string why)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions
            { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            why = $"not valid JSON ({e.Message})";
            return null;
        }
        var records = new List<MetricRecord>();
        if (root is JsonObject state && state["log_history"] is JsonArray history)
        {
            foreach (var entry in history.OfType<JsonObject>())
            {
                if (entry.ContainsKey("train_runtime")) continue; // the run's summary, not a logged step
                if (Record(entry, HuggingFaceName) is { } r) records.Add(r);
            }
            why = records.Count == 0 ? "trainer state with an empty log_history" : "";
            return records.Count == 0 ? null : MetricLog.Of(path, records);
        }
        if (root is JsonArray rows)
        {
            foreach (var row in rows.OfType<JsonObject>())
                if (Record(row, rename: null) is { } r) records.Add(r);
            why = records.Count == 0 ? "a list without rows that have a step or epoch" : "";
            return records.Count == 0 ? null : MetricLog.Of(path, records);
        }
        if (root is JsonObject columns)
        {
            var lists = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var (key, value) in columns)
            {
                // Lists of numbers with a fraction among them (or position lists): whole-number lists are sizes and shapes.
                if (value is JsonArray array && array.Count >= 2 && array.All(v => v is JsonValue jv && jv.TryGetValue(out double _)) &&
                    (MetricNames.PositionUnit(key) is not null || array.Any(v => !v!.AsValue().TryGetValue(out long _))))
                    lists[key] = array.Select(v => v!.GetValue<double>()).ToArray();
            }
            var log = SeriesLog.FromColumns(path, lists);
            why = log is null ? "no lists of numbers (a config or summary of scalars)" : "";
            return log;
        }
        why = "neither rows nor lists of numbers";
        return null;
    }

    // Hugging Face Trainer: 'loss' is the running training loss; throughput and FLOP counts are not metrics of the model.
    private static string? HuggingFaceName(string key) =>
        key == "loss" ? "train_loss"
        : key == "total_flos" || key.EndsWith("_runtime", StringComparison.Ordinal) || key.EndsWith("_per_second", StringComparison.Ordinal) ? null
        : key;

    private static MetricRecord? Record(JsonObject o, Func<string, string?>? rename)
    {
        long? step = null, epoch = null;
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, node) in o)
        {
            if (node is not JsonValue v || !v.TryGetValue(out double d)) continue;
            var unit = MetricNames.PositionUnit(key);
            if (unit == StepUnit.Step) step ??= Whole(d);
            else if (unit == StepUnit.Epoch) epoch ??= Whole(d);
            else if ((rename is null ? key : rename(key)) is { } name && MetricNames.Column(name) is { } column) values.TryAdd(column, d);
        }
        if ((step is null && epoch is null) || values.Count == 0) return null;
        return new MetricRecord(step, epoch, values);
    }

    private static long? Whole(double d) => d == Math.Floor(d) && Math.Abs(d) < 9e15 ? (long)d : null;

    private static long? WholeNumber(string cell) => TryNumber(cell.Trim(), out double d) ? Whole(d) : null;

    /// <summary>A number as Python and most loggers print it (also <c>nan</c>, <c>inf</c>, <c>-inf</c>).</summary>
    public static bool TryNumber(string text, out double value)
    {
        switch (text.ToLowerInvariant())
        {
            case "nan": value = double.NaN; return true;
            case "inf" or "+inf" or "infinity": value = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = double.NegativeInfinity; return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    // A CSV line: fields split on the separator, double quotes around a field (with "" for a quote) honoured.
    private static List<string> Split(string line, char separator)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == separator) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
