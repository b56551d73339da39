namespace DevInterp.Storage;

/// <summary>What <see cref="AnalysisStore.Consolidate(string)"/> did for one table.</summary>
/// <param name="Table">Table name.</param>
/// <param name="Path">The consolidated file <c>NAME.arrow</c>.</param>
/// <param name="Parts">Part files merged (0 when there were none and nothing was written).</param>
/// <param name="Rows">Rows in the consolidated table.</param>
/// <param name="IgnoredDuplicates">Rows present identically in two part files, counted once.</param>
public sealed record ConsolidationResult(string Table, string Path, int Parts, int Rows, IReadOnlyList<DuplicateRow> IgnoredDuplicates);
