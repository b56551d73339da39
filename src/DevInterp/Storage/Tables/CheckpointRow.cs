namespace DevInterp.Storage;

/// <summary>Whether a checkpoint's analysis unit finished.</summary>
public enum CheckpointStatus
{
    /// <summary>The checkpoint was read and analysed.</summary>
    Ok,
    /// <summary>The unit failed; <see cref="CheckpointRow.Error"/> says why.</summary>
    Failed,
}

/// <summary>One row of <c>checkpoints</c>: a checkpoint an analysis visited, its file, and the run's metrics at that step.</summary>
/// <param name="Step">Training step.</param>
/// <param name="File">The checkpoint file or folder, relative to the run folder.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes; null when it could not be read.</param>
/// <param name="SizeBytes">File size; null when it could not be read.</param>
/// <param name="Status">ok or failed.</param>
/// <param name="Error">Why the unit failed (one line); null when ok.</param>
public sealed record CheckpointRow(long Step, string File, string? Sha256, long? SizeBytes, CheckpointStatus Status, string? Error)
    : IStoreRow<CheckpointRow>
{
    /// <summary>
    /// The run's scalars at this step (train_loss, test_loss, accuracy...), stored as nullable <c>metric_NAME</c> columns.
    /// Names are stored in snake_case (<see cref="SnakeCase.From"/>), so they read back in that form.
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new SortedDictionary<string, double>(StringComparer.Ordinal);

    /// <summary>The <c>checkpoints</c> table.</summary>
    public static TableSchema Schema { get; } = new(
        "checkpoints",
        "one checkpoint an analysis visited",
        "one checkpoint (key: PartKey.ForStep)",
        [
            ColumnSpec.Int64("step", "training step of the checkpoint"),
            ColumnSpec.Utf8("file", "checkpoint file or folder, relative to the run folder"),
            ColumnSpec.Utf8("sha256", "lower-case hex SHA-256 of the file; null when it could not be read").OrNull(),
            ColumnSpec.Int64("size_bytes", "file size in bytes; null when it could not be read").OrNull(),
            ColumnSpec.Utf8("status", "`ok` or `failed`"),
            ColumnSpec.Utf8("error", "why the unit failed (one line); null when ok").OrNull(),
        ],
        ["step"],
        new ExtraColumns("metric_", ColumnKind.Float64,
            "one column per run metric (`metric_train_loss`, `metric_test_loss`, `metric_accuracy`...): the union over all checkpoints, null where a checkpoint lacks it"));

    /// <summary>A visited checkpoint.</summary>
    public static CheckpointRow Ok(long step, string file, string sha256, long sizeBytes, IReadOnlyDictionary<string, double>? metrics = null) =>
        new(step, file, sha256, sizeBytes, CheckpointStatus.Ok, null) { Metrics = metrics ?? new Dictionary<string, double>() };

    /// <summary>A checkpoint whose unit failed, with why (hash and size when known).</summary>
    public static CheckpointRow Failed(long step, string file, string error, string? sha256 = null, long? sizeBytes = null,
        IReadOnlyDictionary<string, double>? metrics = null) =>
        new(step, file, sha256, sizeBytes, CheckpointStatus.Failed, error) { Metrics = metrics ?? new Dictionary<string, double>() };

    /// <inheritdoc />
    public void WriteTo(RowWriter writer)
    {
        if ((Status == CheckpointStatus.Failed) != (Error is not null))
            throw new ArgumentException($"checkpoints, step {Step}: a failed checkpoint needs an error and an ok one must not have one");
        if (Error is not null && Error.Contains('\n'))
            throw new ArgumentException($"checkpoints, step {Step}: the error must be one line");
        writer.Int64("step", Step);
        writer.Utf8("file", File);
        writer.Utf8("sha256", Sha256);
        writer.Int64("size_bytes", SizeBytes);
        writer.Enum("status", Status);
        writer.Utf8("error", Error);
        foreach (var (name, value) in Metrics) writer.Extra(name, value);
    }

    /// <inheritdoc />
    public static CheckpointRow ReadFrom(RowReader r) =>
        new(r.Int64("step"), r.Utf8("file"), r.NullableUtf8("sha256"), r.NullableInt64("size_bytes"),
            r.Enum<CheckpointStatus>("status"), r.NullableUtf8("error"))
        { Metrics = r.Extras() };
}
