using System.Globalization;
using System.Text.RegularExpressions;

namespace DevInterp.Storage;

/// <summary>
/// Names of part files. A key is what one unit of work covers (a checkpoint, a step pair, the whole analysis); the part
/// file is <c>parts/TABLE/KEY.arrow</c>, or <c>KEY@SHARD.arrow</c> when the store was opened with a shard name.
/// </summary>
public static partial class PartKey
{
    /// <summary>Digits steps are padded to, so that part files list in step order.</summary>
    public const int StepDigits = 12;

    /// <summary>The key of a table written in one piece (essential dynamics, stages).</summary>
    public const string Whole = "all";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
    private static partial Regex Pattern();

    /// <summary>The key of one checkpoint: <c>step-000000001200</c>.</summary>
    public static string ForStep(long step) => "step-" + Digits(step, nameof(step));

    /// <summary>The key of one pair of checkpoints: <c>steps-000000000100-000000000200</c>.</summary>
    public static string ForStepPair(long stepA, long stepB) => $"steps-{Digits(stepA, nameof(stepA))}-{Digits(stepB, nameof(stepB))}";

    /// <summary>
    /// True for a usable key or shard name: letters, digits, '.', '_' and '-', not starting with '.', at most 80
    /// characters (so that KEY@SHARD plus the temporary-file suffix stays within file-name limits).
    /// </summary>
    public static bool IsValid(string key) => key is not null && Pattern().IsMatch(key);

    /// <summary>Throws a one-line error naming <paramref name="what"/> unless <paramref name="key"/> is valid.</summary>
    public static void Validate(string key, string what = "part key")
    {
        if (!IsValid(key))
            throw new ArgumentException($"{what} '{key}' must be 1–80 letters, digits, '.', '_' or '-', not starting with '.'", what.Replace(' ', '_'));
    }

    private static string Digits(long step, string name) =>
        step >= 0 ? step.ToString(new string('0', StepDigits), CultureInfo.InvariantCulture)
            : throw new ArgumentOutOfRangeException(name, step, "steps are ≥ 0");
}
