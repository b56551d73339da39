using System.Globalization;
using System.Text.RegularExpressions;
using DevInterp.Models;

namespace DevInterp.Tasks;

/// <summary>
/// Which rows of a <c>file</c> task to keep, by their target: clauses joined by <c>and</c>, each <c>target OP number</c>
/// with OP one of <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>==</c>, <c>!=</c>, or <c>target in [n, ...]</c> /
/// <c>target not in [n, ...]</c>. Example: <c>"target &lt;= 4"</c> keeps classes 0–4, as a training script that trained
/// on the first five classes of a ten-class dataset did. The target must be one value per row.
/// </summary>
public sealed partial record RowCondition
{
    private readonly IReadOnlyList<Clause> _clauses;

    private RowCondition(string text, IReadOnlyList<Clause> clauses)
    {
        Text = text;
        _clauses = clauses;
    }

    /// <summary>The condition as written.</summary>
    public string Text { get; }

    private sealed record Clause(string Op, double[] Values);

    [GeneratedRegex(@"^\s*target\s*(<=|>=|==|!=|<|>|not\s+in|in)\s*(.+?)\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ClausePattern();

    /// <summary>Parses a condition.</summary>
    /// <exception cref="SpecFormatException">Not of the documented form (names the field <paramref name="field"/>).</exception>
    public static RowCondition Parse(string text, string field = "where")
    {
        ArgumentNullException.ThrowIfNull(text);
        var clauses = new List<Clause>();
        foreach (string part in Regex.Split(text, @"\s+and\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
        {
            var m = ClausePattern().Match(part);
            if (!m.Success)
            {
                throw new SpecFormatException(TaskSpec.SpecName, field,
                    $"'{part.Trim()}' is not a condition on the target; write e.g. \"target <= 4\", \"target in [0, 3, 7]\" or \"target >= 1 and target != 5\"");
            }
            string op = Regex.Replace(m.Groups[1].Value.ToLowerInvariant(), @"\s+", " ");
            string operand = m.Groups[2].Value;
            double[] values;
            if (op is "in" or "not in")
            {
                if (!(operand.StartsWith('[') && operand.EndsWith(']')))
                    throw new SpecFormatException(TaskSpec.SpecName, field, $"'{part.Trim()}': expected a list after '{op}', e.g. [0, 1, 2]");
                values = [.. operand[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => Number(v, part, field))];
                if (values.Length == 0) throw new SpecFormatException(TaskSpec.SpecName, field, $"'{part.Trim()}': the list is empty");
            }
            else values = [Number(operand, part, field)];
            clauses.Add(new Clause(op, values));
        }
        return new RowCondition(text, clauses);
    }

    private static double Number(string text, string clause, string field) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw new SpecFormatException(TaskSpec.SpecName, field, $"'{clause.Trim()}': '{text}' is not a number");

    /// <summary>Whether a row with target <paramref name="target"/> is kept.</summary>
    public bool Keeps(double target) => _clauses.All(c => c.Op switch
    {
        "<" => target < c.Values[0],
        "<=" => target <= c.Values[0],
        ">" => target > c.Values[0],
        ">=" => target >= c.Values[0],
        "==" => target == c.Values[0],
        "!=" => target != c.Values[0],
        "in" => c.Values.Contains(target),
        _ => !c.Values.Contains(target),
    });

    /// <summary>Equal when written the same.</summary>
    public bool Equals(RowCondition? other) => other is not null && Text == other.Text;

    /// <inheritdoc />
    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Text;
}
