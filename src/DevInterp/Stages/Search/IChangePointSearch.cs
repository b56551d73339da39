using DevInterp.Stages.Costs;

namespace DevInterp.Stages.Search;

/// <summary>
/// A search method: finds the segmentation of a fitted cost's signal that (exactly or approximately) minimises the
/// sum of segment costs under a <see cref="StopRule"/>. The cost is the "fit" half of ruptures' fit/predict; this
/// is the "predict" half. Searches are stateless and can be reused.
/// </summary>
public interface IChangePointSearch
{
    /// <summary>Short name (<c>pelt</c>, <c>binseg</c>, <c>dynp</c>).</summary>
    string Name { get; }

    /// <summary>Runs the search. Throws <see cref="ArgumentException"/> when the stop rule is not supported or cannot be met.</summary>
    ChangePointResult Predict(ISegmentCost cost, StopRule stop);
}
