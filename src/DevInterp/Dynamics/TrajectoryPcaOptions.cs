namespace DevInterp.Dynamics;

/// <summary>Options of <see cref="TrajectoryPca"/>.</summary>
/// <param name="Components">Principal components to keep (at least 1; capped at T − 1, the most a centered T-row
/// matrix can have).</param>
public sealed record TrajectoryPcaOptions(int Components = 3);
