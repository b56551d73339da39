namespace DevInterp.Storage;

/// <summary>The tables an analysis folder can hold, in the order docs/analysis-store.md lists them.</summary>
public static class AnalysisTables
{
    /// <summary>Every built-in table.</summary>
    public static IReadOnlyList<TableSchema> All { get; } =
    [
        CheckpointRow.Schema,
        LlcRow.Schema,
        LlcTraceRow.Schema,
        CalibrationRow.Schema,
        LlcSettingRow.Schema,
        SimilarityRow.Schema,
        DynamicsCoordinateRow.Schema,
        DynamicsVarianceRow.Schema,
        DynamicsCurvatureRow.Schema,
        StageSummaryRow.Schema,
    ];

    /// <summary>The table named <paramref name="name"/>, or null.</summary>
    public static TableSchema? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The table named <paramref name="name"/>; throws a one-line error listing the known tables otherwise.</summary>
    public static TableSchema Get(string name) =>
        Find(name) ?? throw new ArgumentException($"unknown table '{name}'; known tables: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));
}
