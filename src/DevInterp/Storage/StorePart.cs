namespace DevInterp.Storage;

/// <summary>A part file of a table: one finished unit of work.</summary>
/// <param name="Table">Table name.</param>
/// <param name="Key">The unit's key (see <see cref="PartKey"/>).</param>
/// <param name="Shard">The writer's shard name, or null.</param>
/// <param name="Path">The file.</param>
/// <param name="SizeBytes">Its size.</param>
public sealed record StorePart(string Table, string Key, string? Shard, string Path, long SizeBytes);
