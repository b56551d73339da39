using DevInterp.Stages.Costs;
using DevInterp.Stages.Search;

namespace DevInterp.Stages;

/// <summary>
/// One call from a signal to its change points: fit the cost, pick the stop rule (count, explicit penalty, or the
/// default penalty) and run the search.
/// </summary>
public static class ChangePointDetector
{
    /// <summary>Detects change points in a T × d signal.</summary>
    public static ChangePointResult Detect(double[,] signal, ChangePointOptions? options = null)
    {
        options ??= ChangePointOptions.Default;
        var cost = SegmentCosts.Fit(options.Cost, signal, options.CostOptions);
        var stop = options.BreakpointCount is { } count
            ? StopRule.Count(count)
            : StopRule.WithPenalty(options.Penalty ?? DefaultPenalty.For(cost, signal));
        return Create(options.Method, new SearchOptions(options.MinSegmentSize)).Predict(cost, stop);
    }

    /// <summary>Detects change points in a univariate series.</summary>
    public static ChangePointResult Detect(IReadOnlyList<double> series, ChangePointOptions? options = null) =>
        Detect(Signals.FromSeries(series), options);

    /// <summary>The search object for a method.</summary>
    public static IChangePointSearch Create(SearchMethod method, SearchOptions? options = null) => method switch
    {
        SearchMethod.Pelt => new Pelt(options),
        SearchMethod.BinarySegmentation => new BinarySegmentation(options),
        SearchMethod.DynamicProgramming => new DynamicProgramming(options),
        _ => throw new ArgumentOutOfRangeException(nameof(method), $"method: unknown search method {method}; expected pelt, binseg or dynp"),
    };
}
