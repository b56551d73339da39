namespace DevInterp.Runs.Metrics;

/// <summary>One logged row of a run's metrics: where in training it was logged and the values.</summary>
/// <param name="Step">Optimizer step of the row, when the log gives one.</param>
/// <param name="Epoch">Epoch of the row, when the log gives a whole one.</param>
/// <param name="Values">Metric values by snake_case name.</param>
public sealed record MetricRecord(long? Step, long? Epoch, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The row's position in <paramref name="unit"/>, or null when the log does not give it in that unit.</summary>
    public long? At(StepUnit unit) => unit == StepUnit.Step ? Step : Epoch;
}

/// <summary>
/// Metrics read from one file of a run: rows with their positions, and series stored as plain lists (per-epoch losses in
/// a final checkpoint) whose positions are placed later against the run's checkpoints (<see cref="SeriesPlacement"/>).
/// </summary>
/// <param name="File">The file read.</param>
/// <param name="Records">Rows with positions.</param>
/// <param name="Series">Lists without positions, by snake_case name.</param>
public sealed record MetricLog(string File, IReadOnlyList<MetricRecord> Records, IReadOnlyDictionary<string, double[]> Series)
{
    /// <summary>True when the file held no metrics.</summary>
    public bool IsEmpty => Records.Count == 0 && Series.Count == 0;

    /// <summary>A log of rows only.</summary>
    public static MetricLog Of(string file, IReadOnlyList<MetricRecord> records) => new(file, records, new Dictionary<string, double[]>());
}
