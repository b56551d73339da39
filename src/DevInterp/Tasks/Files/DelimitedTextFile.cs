using System.Globalization;
using System.Text;

namespace DevInterp.Tasks.Files;

/// <summary>
/// Reads a table of numbers from CSV (one-character delimiter, default comma; fields may be double-quoted with "" for
/// a quote) or whitespace-separated text (any run of spaces and tabs separates fields). Blank lines and lines starting
/// with '#' are skipped. The first row is a header when <c>header</c> is true, or, when it is not given, when any of
/// its fields is not a number. Numbers are parsed with the invariant culture (a '.' decimal point); each must be
/// finite. Columns are named by the header, or "0", "1", ... without one.
/// </summary>
internal static class DelimitedTextFile
{
    /// <param name="path">The file.</param>
    /// <param name="delimiter">The CSV delimiter, or null for whitespace-separated text.</param>
    /// <param name="header">Whether the first row names the columns; null to detect.</param>
    public static DataContents Open(string path, char? delimiter, bool? header)
    {
        DataFiles.RequireFile(path);
        string[]? names = null;
        int expected = -1;
        int headerLine = 0;
        var columns = new List<List<double>>();
        try
        {
            using var reader = new StreamReader(DataFiles.OpenRead(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            int lineNumber = 0;
            bool first = true;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#') continue;
                IReadOnlyList<string> fields = delimiter is { } d ? SplitCsv(line, d, path, lineNumber) : trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (first)
                {
                    first = false;
                    expected = fields.Count;
                    bool isHeader = header ?? fields.Any(f => !TryNumber(f, out _));
                    if (isHeader)
                    {
                        names = [.. fields];
                        headerLine = lineNumber;
                        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                        if (duplicate is not null) throw new DataFileException(path, $"line {lineNumber}: the header names column '{duplicate.Key}' twice");
                        if (names.Any(n => n.Length == 0)) throw new DataFileException(path, $"line {lineNumber}: the header has an empty column name");
                        for (int c = 0; c < expected; c++) columns.Add([]);
                        continue;
                    }
                    for (int c = 0; c < expected; c++) columns.Add([]);
                }
                if (fields.Count != expected)
                {
                    string reference = headerLine > 0 ? "the header" : "the first row";
                    throw new DataFileException(path, $"line {lineNumber}: {fields.Count} fields, expected {expected} as in {reference}");
                }
                for (int c = 0; c < expected; c++)
                {
                    string field = fields[c];
                    if (!TryNumber(field, out double value))
                    {
                        string column = names is null ? $"column {c}" : $"column '{names[c]}'";
                        string shown = field.Length > 40 ? field[..40] + "..." : field;
                        throw new DataFileException(path, field.Length == 0
                            ? $"line {lineNumber}, {column}: empty field; expected a number"
                            : $"line {lineNumber}, {column}: '{shown}' is not a finite number");
                    }
                    columns[c].Add(value);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"cannot read: {e.Message}", e);
        }
        if (expected < 0) throw new DataFileException(path, "no data: the file is empty or holds only blank and comment lines");
        if (columns.Count == 0 || columns[0].Count == 0) throw new DataFileException(path, "no data rows (only a header)");
        names ??= [.. Enumerable.Range(0, expected).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        var arrays = new List<NumericArray>(expected);
        for (int c = 0; c < expected; c++) arrays.Add(new NumericArray(names[c], [columns[c].Count], [.. columns[c]]));
        return DataContents.Table(path, arrays);
    }

    private static bool TryNumber(string field, out double value) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Splits one CSV line (RFC 4180 quoting within the line; fields are trimmed).</summary>
    internal static List<string> SplitCsv(string line, char delimiter, string path, int lineNumber)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        int i = 0;
        while (true)
        {
            // At the start of a field.
            while (i < line.Length && line[i] != delimiter && char.IsWhiteSpace(line[i])) i++;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length) throw new DataFileException(path, $"line {lineNumber}: a quoted field is not closed (fields cannot span lines)");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            current.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    current.Append(line[i++]);
                }
                while (i < line.Length && line[i] != delimiter && char.IsWhiteSpace(line[i])) i++;
                if (i < line.Length && line[i] != delimiter)
                    throw new DataFileException(path, $"line {lineNumber}: text after a closing quote (expected '{delimiter}')");
            }
            else
            {
                while (i < line.Length && line[i] != delimiter) current.Append(line[i++]);
            }
            fields.Add(current.ToString().Trim());
            current.Clear();
            if (i >= line.Length) break;
            i++; // the delimiter
        }
        return fields;
    }
}
