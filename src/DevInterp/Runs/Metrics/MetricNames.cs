using DevInterp.Storage;

namespace DevInterp.Runs.Metrics;

/// <summary>How the names in metric logs are read: which ones are positions, and the metric names they become.</summary>
public static class MetricNames
{
    private static readonly HashSet<string> StepNames = new(StringComparer.OrdinalIgnoreCase)
        { "step", "steps", "global_step", "globalstep", "iteration", "iterations", "iter", "iters", "trainer/global_step", "_step" };

    private static readonly HashSet<string> EpochNames = new(StringComparer.OrdinalIgnoreCase) { "epoch", "epochs" };

    /// <summary>The unit a column or key names when it holds positions (step, global_step, epoch...), else null.</summary>
    public static StepUnit? PositionUnit(string name) =>
        StepNames.Contains(name) ? StepUnit.Step : EpochNames.Contains(name) ? StepUnit.Epoch : null;

    /// <summary>A metric's column name (snake_case), or null when nothing usable is left of it.</summary>
    public static string? Column(string name)
    {
        try
        {
            return SnakeCase.From(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The singular metric a list is named for: <c>train_losses</c> → <c>train_loss</c>, <c>test_accs</c> →
    /// <c>test_acc</c>, <c>accuracies</c> → <c>accuracy</c>; names already singular stay.
    /// </summary>
    public static string Singular(string snakeName)
    {
        if (snakeName.EndsWith("ies", StringComparison.Ordinal) && snakeName.Length > 4) return snakeName[..^3] + "y";
        if (snakeName.EndsWith("sses", StringComparison.Ordinal)) return snakeName[..^2];
        if (snakeName.EndsWith('s') && !snakeName.EndsWith("ss", StringComparison.Ordinal) && snakeName.Length > 2) return snakeName[..^1];
        return snakeName;
    }
}
