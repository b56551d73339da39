namespace DevInterp.Tests.Analysis;

/// <summary>
/// The transitions documented for each shipped demo run (docs/demo-runs.md, "Transitions the stage table must find"):
/// the first checkpoint at which the new state is seen. A stage table must put a boundary within one checkpoint
/// interval of each, and no more boundaries than transitions + 1.
/// </summary>
internal static class ShippedRunTransitions
{
    /// <summary>dln: each singular value learned — the first checkpoint of plateaus 1–4.</summary>
    public static readonly long[] Dln = [151, 363, 1083, 2596];

    /// <summary>tms: the paired arrangement (six features at norm &gt; 0.5 on four directions), the square, the pentagon.</summary>
    public static readonly long[] Tms = [311, 1116, 2113];
}
