using DevInterp.Stages.Costs;

namespace DevInterp.Tests.Stages;

/// <summary>Wraps a cost and counts how many segment costs the search asked for.</summary>
internal sealed class CountingCost(ISegmentCost inner) : ISegmentCost
{
    private long _evaluations;

    public long Evaluations => Interlocked.Read(ref _evaluations);
    public string Name => inner.Name;
    public int Length => inner.Length;
    public int Dimension => inner.Dimension;
    public int MinSize => inner.MinSize;

    public double Cost(int start, int end)
    {
        Interlocked.Increment(ref _evaluations);
        return inner.Cost(start, end);
    }

    public void CostsTo(int end, ReadOnlySpan<int> starts, Span<double> costs)
    {
        Interlocked.Add(ref _evaluations, starts.Length);
        inner.CostsTo(end, starts, costs);
    }
}
