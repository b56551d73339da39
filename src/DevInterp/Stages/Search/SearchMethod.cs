namespace DevInterp.Stages.Search;

/// <summary>The built-in search methods.</summary>
public enum SearchMethod
{
    /// <summary><see cref="Search.Pelt"/>: exact, penalty only.</summary>
    Pelt,
    /// <summary><see cref="Search.BinarySegmentation"/>: greedy, count or penalty.</summary>
    BinarySegmentation,
    /// <summary><see cref="Search.DynamicProgramming"/>: exact, count (or penalty, unpruned).</summary>
    DynamicProgramming,
}
