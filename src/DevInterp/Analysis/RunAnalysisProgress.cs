namespace DevInterp.Analysis;

/// <summary>Progress of a run analysis.</summary>
/// <param name="Phase">What is being done: <c>capture</c> (activations per checkpoint), <c>similarity</c>, <c>dynamics</c>.</param>
/// <param name="Done">Units done in this phase.</param>
/// <param name="Total">Units in this phase.</param>
/// <param name="Detail">The unit just finished (a step, a layer), for display.</param>
public sealed record RunAnalysisProgress(string Phase, int Done, int Total, string Detail);
