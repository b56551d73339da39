namespace DevInterp.Storage;

/// <summary>A row found in two part files with identical values: the second copy was ignored.</summary>
/// <param name="Key">The row's key, as text (<c>step=1200</c>).</param>
/// <param name="KeptFile">The file whose copy was kept.</param>
/// <param name="IgnoredFile">The file whose identical copy was ignored.</param>
public sealed record DuplicateRow(string Key, string KeptFile, string IgnoredFile);
