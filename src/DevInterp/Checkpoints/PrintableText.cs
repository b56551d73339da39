using System.Globalization;
using System.Text;

namespace DevInterp.Checkpoints;

/// <summary>
/// Text from a file (tensor names, keys, metadata) made safe to print: control characters become escapes
/// (<c>\n</c>, <c>\x1B</c>), so a name cannot break a one-line message, clear the screen or recolour a terminal with ANSI
/// sequences; so do the Unicode line separators and the bidirectional overrides that make text display in another
/// order than it reads.
/// </summary>
public static class PrintableText
{
    /// <summary>The text with every control character escaped (the text itself when it holds none).</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = IndexOfUnsafe(text);
        if (first < 0) return text;
        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (IsUnsafe(c)) sb.Append("\\x").Append(((int)c).ToString(c <= 0xFF ? "X2" : "X4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// An error message as one printable line: lines joined with spaces, libtorch's C++ stack (from "Exception raised
    /// from" on) dropped, and control characters escaped.
    /// </summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int frames = message.IndexOf("Exception raised from ", StringComparison.Ordinal);
        if (frames > 0) message = message[..frames];
        return Escape(string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
    }

    /// <summary>True when <paramref name="text"/> holds a character <see cref="Escape"/> would change.</summary>
    public static bool NeedsEscape(string text) => IndexOfUnsafe(text) >= 0;

    private static int IndexOfUnsafe(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i])) return i;
        }
        return -1;
    }

    // C0, DEL and C1 controls; line and paragraph separators; bidirectional embeddings, overrides and isolates.
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';
}
