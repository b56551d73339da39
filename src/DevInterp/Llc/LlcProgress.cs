namespace DevInterp.Llc;

/// <summary>Progress of an LLC estimate: sampler steps done out of the total (all chains advance together).</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps in all.</param>
/// <param name="Phase"><c>calibrating</c> or <c>sampling</c>.</param>
public sealed record LlcProgress(long Step, long TotalSteps, string Phase);
