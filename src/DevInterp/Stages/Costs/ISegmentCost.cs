namespace DevInterp.Stages.Costs;

/// <summary>
/// A segment cost fitted to one signal: <see cref="Cost"/> measures how badly a single model (a constant mean, a
/// Gaussian, a kernel mean embedding…) fits the rows <c>[start, end)</c>. Search methods minimise the sum of segment
/// costs, plus a penalty per segment or with a fixed number of segments. Implementations are immutable after fitting
/// and safe to query from several threads.
/// </summary>
public interface ISegmentCost
{
    /// <summary>Short name of the cost model (<c>l2</c>, <c>l1</c>, <c>normal</c>, <c>rbf</c>).</summary>
    string Name { get; }

    /// <summary>Number of rows T of the fitted signal.</summary>
    int Length { get; }

    /// <summary>Number of columns d of the fitted signal.</summary>
    int Dimension { get; }

    /// <summary>The shortest segment the cost is defined for; search methods never go below it.</summary>
    int MinSize { get; }

    /// <summary>Cost of the segment of rows <c>[start, end)</c>, 0 ≤ start, end − start ≥ <see cref="MinSize"/>, end ≤ T.</summary>
    double Cost(int start, int end);

    /// <summary>
    /// Costs of the segments <c>[starts[i], end)</c> for ascending <paramref name="starts"/>, written to
    /// <paramref name="costs"/>. Exact searches evaluate all starts of one end at a time; costs override this when a
    /// batch is cheaper than separate calls (a running median for l1, a tight loop for l2).
    /// </summary>
    void CostsTo(int end, ReadOnlySpan<int> starts, Span<double> costs)
    {
        for (int i = 0; i < starts.Length; i++) costs[i] = Cost(starts[i], end);
    }
}
