namespace DevInterp.Runs;

/// <summary>How to open a run directory.</summary>
/// <param name="Key">Key path to the state dict inside each checkpoint (overrides the manifest's); null for automatic.</param>
/// <param name="StepsFromMetadata">
/// Open files whose names carry no step and look for a <c>step</c>/<c>global_step</c>/<c>epoch</c> entry in their
/// metadata (reads headers only). When false, such files are skipped.
/// </param>
public sealed record RunOpenOptions(string? Key = null, bool StepsFromMetadata = true)
{
    /// <summary>Defaults.</summary>
    public static RunOpenOptions Default { get; } = new();
}
