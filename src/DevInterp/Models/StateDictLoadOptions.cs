namespace DevInterp.Models;

/// <summary>How <see cref="StateDictLoader"/> matches checkpoint tensors to a module.</summary>
/// <param name="Strict">
/// True (default): any missing, unexpected or wrongly shaped tensor fails the load, all of them listed in one error.
/// False: missing and unexpected tensors are reported in the result instead; wrong shapes still fail (as in PyTorch).
/// </param>
/// <param name="Map">Renames (and transposes) checkpoint names before matching; null for none.</param>
public sealed record StateDictLoadOptions(bool Strict = true, NameMap? Map = null)
{
    /// <summary>Strict, no renaming.</summary>
    public static StateDictLoadOptions Default { get; } = new();
}

/// <summary>What a load did.</summary>
/// <param name="Loaded">Each tensor copied, source name → module name.</param>
/// <param name="Missing">Module tensors (parameters and buffers) the checkpoint did not provide; they keep their values.</param>
/// <param name="Unexpected">Checkpoint tensors (source names) with no module tensor to go to.</param>
/// <param name="Ignored">Checkpoint tensors skipped by the name map's ignore list.</param>
public sealed record StateDictLoadResult(
    IReadOnlyList<LoadedTensor> Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> Ignored)
{
    /// <summary>True when every module tensor was loaded and every checkpoint tensor was used or ignored.</summary>
    public bool IsExactMatch => Missing.Count == 0 && Unexpected.Count == 0;
}

/// <summary>One tensor copied from a checkpoint into a module.</summary>
/// <param name="Source">Name in the checkpoint.</param>
/// <param name="Target">Name in the module's state dict.</param>
/// <param name="Transposed">Whether it was transposed on the way.</param>
public sealed record LoadedTensor(string Source, string Target, bool Transposed)
{
    /// <summary>The name-map rule that renamed it (and may permute, flatten, transpose or slice it), or null.</summary>
    public NameRule? Rule { get; init; }

    /// <summary>Equal when source, target and transposition are (the rule is how, not what).</summary>
    public bool Equals(LoadedTensor? other) =>
        other is not null && Source == other.Source && Target == other.Target && Transposed == other.Transposed;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Source, Target, Transposed);
}
