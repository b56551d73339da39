using System.Globalization;
using System.Text;

namespace DevInterp.Checkpoints;

/// <summary>
/// A checkpoint file that cannot be read, with the file and the reason in a one-line message
/// ("model.pt: truncated: the zip central directory ends past the end of the file").
/// </summary>
public class CheckpointFormatException : Exception
{
    /// <summary>
    /// Creates the exception for a file and a reason. Control characters in the reason (a corrupt file's names can hold
    /// any byte) are escaped (<c>\n</c>, <c>\x01</c>), so the message stays one line.
    /// </summary>
    public CheckpointFormatException(string path, string reason, Exception? inner = null)
        : base($"{path}: {Escape(reason)}", inner)
    {
        FilePath = path;
        Reason = Escape(reason);
    }

    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; }

    /// <summary>Why, without the file name.</summary>
    public string Reason { get; }

    private static string Escape(string reason)
    {
        if (!reason.Any(char.IsControl)) return reason;
        var sb = new StringBuilder(reason.Length + 8);
        foreach (char c in reason)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\x").Append(((int)c).ToString(c <= 0xFF ? "X2" : "X4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
