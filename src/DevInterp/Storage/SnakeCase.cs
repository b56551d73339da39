using System.Text;
using System.Text.RegularExpressions;

namespace DevInterp.Storage;

/// <summary>snake_case names for columns and tables.</summary>
public static partial class SnakeCase
{
    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex Pattern();

    /// <summary>True for a lower-case snake_case identifier (<c>train_loss</c>, <c>step_a</c>).</summary>
    public static bool IsValid(string name) => name is not null && Pattern().IsMatch(name);

    /// <summary>
    /// A snake_case form of a free-form name: camelCase humps split, letters lowered, every run of other characters
    /// becomes one underscore (<c>test/acc</c> → <c>test_acc</c>, <c>trainLoss</c> → <c>train_loss</c>). Throws when
    /// nothing usable is left.
    /// </summary>
    public static string From(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length + 4);
        bool pendingUnderscore = false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsAsciiLetterOrDigit(c))
            {
                bool hump = char.IsAsciiLetterUpper(c) && i > 0 && (char.IsAsciiLetterLower(name[i - 1]) || char.IsAsciiDigit(name[i - 1]));
                if ((pendingUnderscore || hump) && sb.Length > 0) sb.Append('_');
                pendingUnderscore = false;
                sb.Append(char.ToLowerInvariant(c));
            }
            else pendingUnderscore = true;
        }
        if (sb.Length == 0) throw new ArgumentException($"name '{name}' has no letters or digits to make a column name from", nameof(name));
        return sb.ToString();
    }
}
