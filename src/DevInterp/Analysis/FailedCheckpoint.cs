namespace DevInterp.Analysis;

/// <summary>A checkpoint a run analysis could not use, as recorded in the <c>checkpoints</c> table.</summary>
/// <param name="Step">Its step.</param>
/// <param name="File">Its file, relative to the run.</param>
/// <param name="Reason">Why (one line).</param>
public sealed record FailedCheckpoint(long Step, string File, string Reason);
