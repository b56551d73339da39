using System.Numerics;
using DevInterp.Checkpoints;
using DevInterp.Checkpoints.PyTorch;

namespace DevInterp.Runs.Metrics;

/// <summary>
/// Metrics kept in a pickle (torch.save or pickle.dump, read with the checkpoint readers' allowlist, so nothing in the
/// file runs): the per-epoch lists a final checkpoint stores beside its state dict
/// (<c>{'model': ..., 'train_losses': [...], 'test_losses': [...]}</c>), a summary file holding a dict of lists (with
/// or without its own <c>step</c>/<c>epoch</c> list), or a list of row dicts. Lists are read from the top level and from
/// one level down inside a <c>metrics</c>/<c>history</c>/<c>logs</c> dict; a list counts when it holds at least two
/// numbers and at least one of them is a float (lists of ints are positions, shapes or data), or is a 1-D float tensor or
/// numpy array.
/// </summary>
public static class PickledMetricLog
{
    private static readonly HashSet<string> Containers = new(StringComparer.OrdinalIgnoreCase)
        { "metrics", "history", "hist", "logs", "log", "results", "stats", "statistics", "curves", "losses" };

    /// <summary>The metrics of a pickle file, or null (with why) when it holds none or cannot be read.</summary>
    public static MetricLog? Read(string path, out string why)
    {
        try
        {
            using var file = PickledObjectFile.Open(path);
            return FromRoot(path, file, file.Root, out why);
        }
        catch (CheckpointFormatException e)
        {
            why = e.Reason;
            return null;
        }
    }

    private static MetricLog? FromRoot(string path, PickledObjectFile file, object root, out string why)
    {
        if (root is PyList rows && rows.Items.Count > 0 && rows.Items.All(r => r is PyDict))
        {
            var records = new List<MetricRecord>();
            foreach (PyDict row in rows.Items.Cast<PyDict>())
            {
                long? step = null, epoch = null;
                var values = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var (k, v) in row.Entries)
                {
                    if (k is not string key || !TryScalar(v, out double d)) continue;
                    var unit = MetricNames.PositionUnit(key);
                    if (unit == StepUnit.Step) step ??= Whole(d);
                    else if (unit == StepUnit.Epoch) epoch ??= Whole(d);
                    else if (MetricNames.Column(key) is { } column) values.TryAdd(column, d);
                }
                if ((step is not null || epoch is not null) && values.Count > 0) records.Add(new MetricRecord(step, epoch, values));
            }
            why = records.Count == 0 ? "a list of dicts without a step or epoch" : "";
            return records.Count == 0 ? null : MetricLog.Of(path, records);
        }
        if (root is not PyDict dict)
        {
            why = $"holds {StateDictLocator.Describe(root)}, not metrics";
            return null;
        }
        var lists = new Dictionary<string, double[]>(StringComparer.Ordinal);
        Collect(dict, file, lists, nested: false);
        var log = SeriesLog.FromColumns(path, lists);
        why = log is null ? "no lists of numbers" : "";
        return log;
    }

    private static void Collect(PyDict dict, PickledObjectFile file, Dictionary<string, double[]> lists, bool nested)
    {
        // A dict of nothing but tensors is a state dict (its 1-D tensors are biases, not curves).
        bool stateDict = dict.Entries.All(e => e.Value is TorchTensorRef or PyDict);
        foreach (var (k, v) in dict.Entries)
        {
            if (k is not string key || (v is TorchTensorRef && (stateDict || key.Contains('.', StringComparison.Ordinal)))) continue;
            if (v is PyDict inner)
            {
                if (!nested && Containers.Contains(key)) Collect(inner, file, lists, nested: true);
                continue;
            }
            if (Numbers(v, file, MetricNames.PositionUnit(key) is not null) is { Length: >= 2 } values) lists.TryAdd(key, values);
        }
    }

    // A list or tuple of numbers (with a float among them unless it is a position list), or a 1-D tensor or array.
    private static double[]? Numbers(object value, PickledObjectFile file, bool positions)
    {
        IReadOnlyList<object>? items = value switch
        {
            PyList l => l.Items,
            PyTuple t => t.Items,
            _ => null,
        };
        if (items is not null)
        {
            var result = new double[items.Count];
            bool anyFloat = false;
            for (int i = 0; i < items.Count; i++)
            {
                if (!TryScalar(items[i], out result[i])) return null;
                anyFloat |= items[i] is double;
            }
            return anyFloat || positions ? result : null;
        }
        try
        {
            return value switch
            {
                TorchTensorRef t when t.Shape.Length == 1 && (t.DType.IsFloatingPoint() || positions) => file.ReadDoubles(t),
                NumpyArray a when a.Shape.Count == 1 => file.ReadDoubles(a, out _),
                _ => null,
            };
        }
        catch (CheckpointFormatException)
        {
            return null; // an unreadable or non-numeric array is not a metric
        }
    }

    private static bool TryScalar(object value, out double d)
    {
        switch (value)
        {
            case double x: d = x; return true;
            case long l: d = l; return true;
            case BigInteger b when b >= long.MinValue && b <= long.MaxValue: d = (long)b; return true;
            default: d = 0; return false;
        }
    }

    private static long? Whole(double d) => d == Math.Floor(d) && Math.Abs(d) < 9e15 ? (long)d : null;
}
