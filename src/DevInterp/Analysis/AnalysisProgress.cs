namespace DevInterp.Analysis;

/// <summary>Progress of a long analysis: overall fraction, the current checkpoint and what is being done to it.</summary>
/// <param name="Done">Units finished (plus the fraction of the current one).</param>
/// <param name="Total">Units in all.</param>
/// <param name="Step">The checkpoint being worked on, if any.</param>
/// <param name="Activity">What is being done (e.g. "llc: sampling", "calibrating").</param>
public sealed record AnalysisProgress(double Done, double Total, long? Step, string Activity);
