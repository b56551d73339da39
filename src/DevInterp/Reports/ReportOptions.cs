namespace DevInterp.Reports;

/// <summary>How a report is drawn.</summary>
/// <param name="Title">Page title; null for "DevInterp report: NAME".</param>
/// <param name="MaxTraceCheckpoints">Flagged (doubtful or untrusted) checkpoints whose SGLD traces are plotted, untrusted first.</param>
/// <param name="MaxTracePointsPerChain">Points per chain in a trace plot; longer chains keep each bucket's minimum and maximum (<see cref="Downsample.MinMax"/>).</param>
/// <param name="MaxHeatmaps">Similarity heatmaps drawn (layer × measure); the rest are listed as omitted.</param>
/// <param name="SignificantDigits">Significant digits kept in chart data (the tables show stored values).</param>
public sealed record ReportOptions(
    string? Title = null,
    int MaxTraceCheckpoints = 12,
    int MaxTracePointsPerChain = 400,
    int MaxHeatmaps = 48,
    int SignificantDigits = 6)
{
    /// <summary>Checks the options; the message names the offending option.</summary>
    public void Validate()
    {
        if (MaxTraceCheckpoints < 0) throw new ArgumentException($"report option MaxTraceCheckpoints is {MaxTraceCheckpoints}; expected ≥ 0");
        if (MaxTracePointsPerChain < 2) throw new ArgumentException($"report option MaxTracePointsPerChain is {MaxTracePointsPerChain}; expected ≥ 2");
        if (MaxHeatmaps < 0) throw new ArgumentException($"report option MaxHeatmaps is {MaxHeatmaps}; expected ≥ 0");
        if (SignificantDigits is < 2 or > 17) throw new ArgumentException($"report option SignificantDigits is {SignificantDigits}; expected 2..17");
    }
}
