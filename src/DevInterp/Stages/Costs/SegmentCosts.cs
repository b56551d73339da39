namespace DevInterp.Stages.Costs;

/// <summary>Fits a built-in cost by kind.</summary>
public static class SegmentCosts
{
    /// <summary>Fits the cost of the given kind to a T × d signal.</summary>
    public static ISegmentCost Fit(CostKind kind, double[,] signal, CostOptions? options = null)
    {
        options ??= CostOptions.Default;
        return kind switch
        {
            CostKind.L2 => L2Cost.Fit(signal),
            CostKind.L1 => L1Cost.Fit(signal),
            CostKind.Normal => NormalCost.Fit(signal, options.NormalRidge),
            CostKind.Rbf => RbfCost.Fit(signal, options.RbfGamma),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), $"cost: unknown kind {kind}; expected l2, l1, normal or rbf"),
        };
    }

    /// <summary>Parses a cost name (<c>l2</c>, <c>l1</c>, <c>normal</c>, <c>rbf</c>; case-insensitive).</summary>
    public static CostKind Parse(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "l2" => CostKind.L2,
        "l1" => CostKind.L1,
        "normal" => CostKind.Normal,
        "rbf" => CostKind.Rbf,
        _ => throw new ArgumentException($"cost: unknown name '{name}'; expected l2, l1, normal or rbf", nameof(name)),
    };
}
