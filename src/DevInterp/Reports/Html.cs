using System.Globalization;
using System.Net;
using System.Text;

namespace DevInterp.Reports;

/// <summary>Small helpers that write escaped HTML fragments.</summary>
internal static class Html
{
    /// <summary>Text escaped for element content and attribute values.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A number in a short, culture-independent form ("—" for null, "NaN", "∞").</summary>
    public static string Number(double? value, string format = "G4")
    {
        if (value is not { } v) return "—";
        if (double.IsNaN(v)) return "NaN";
        if (double.IsPositiveInfinity(v)) return "∞";
        if (double.IsNegativeInfinity(v)) return "−∞";
        // .NET writes 3E-05; readers expect 3e-5.
        return Exponent.Replace(v.ToString(format, CultureInfo.InvariantCulture), m => "e" + (m.Groups[1].Value == "-" ? "-" : "") + m.Groups[2].Value);
    }

    private static readonly System.Text.RegularExpressions.Regex Exponent = new("E([+-])0*(\\d+)", System.Text.RegularExpressions.RegexOptions.Compiled);

    /// <summary>An integer with thousands separators.</summary>
    public static string Integer(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A byte count in B, KB, MB or GB.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):F2} GB"),
    };

    /// <summary>A table; header cells are text, body cells are HTML fragments the caller escaped.</summary>
    public static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? cssClass = null)
    {
        var sb = new StringBuilder();
        sb.Append(cssClass is null ? "<table>" : $"<table class=\"{Escape(cssClass)}\">");
        sb.Append("<thead><tr>");
        foreach (string h in headers) sb.Append("<th>").Append(Escape(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            foreach (string cell in row) sb.Append("<td>").Append(cell).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>\n");
        return sb.ToString();
    }

    /// <summary>A two-column key/value table; values are HTML fragments the caller escaped.</summary>
    public static string KeyValues(IEnumerable<(string Key, string ValueHtml)> rows)
    {
        var sb = new StringBuilder("<table class=\"kv\"><tbody>");
        foreach (var (key, value) in rows) sb.Append("<tr><th>").Append(Escape(key)).Append("</th><td>").Append(value).Append("</td></tr>");
        sb.Append("</tbody></table>\n");
        return sb.ToString();
    }

    /// <summary>A paragraph of escaped text with a CSS class.</summary>
    public static string Note(string text, string cssClass = "note") => $"<p class=\"{cssClass}\">{Escape(text)}</p>\n";
}
