using System.Text.RegularExpressions;

namespace DevInterp.Cluster;

/// <summary>Quotes words for bash, so that the generated scripts stay readable for plain paths and safe for any other.</summary>
public static partial class ShellWords
{
    [GeneratedRegex(@"^[A-Za-z0-9_./:=@%+,-]+$")]
    private static partial Regex Plain();

    /// <summary><paramref name="word"/> as bash reads it back unchanged: bare when it holds no special character, else single-quoted.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && Plain().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The words quoted and joined by spaces.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
