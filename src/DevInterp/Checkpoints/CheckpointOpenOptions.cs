namespace DevInterp.Checkpoints;

/// <summary>How to open a checkpoint file.</summary>
/// <param name="Key">
/// Dotted key path to the state dict inside a larger pickled object (<c>model</c>, <c>module.state_dict</c>); null to
/// find it automatically when there is exactly one candidate.
/// </param>
public sealed record CheckpointOpenOptions(string? Key = null)
{
    /// <summary>Defaults: automatic state-dict discovery.</summary>
    public static CheckpointOpenOptions Default { get; } = new();
}
