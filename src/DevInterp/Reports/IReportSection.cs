namespace DevInterp.Reports;

/// <summary>One section of a report: a heading and what it draws from the analysis's tables.</summary>
public interface IReportSection
{
    /// <summary>Anchor id in the page (letters, digits, dashes).</summary>
    string Id { get; }

    /// <summary>Heading.</summary>
    string Title { get; }

    /// <summary>
    /// The section's HTML body; when its data is absent, a <see cref="SectionBody"/> with <c>Present = false</c> whose
    /// HTML says what is missing. Charts are added through <paramref name="context"/>.
    /// </summary>
    SectionBody Render(ReportData data, ReportContext context);
}

/// <summary>What a section rendered.</summary>
/// <param name="Present">The section's data was there.</param>
/// <param name="Html">The body (after the heading).</param>
public sealed record SectionBody(bool Present, string Html)
{
    /// <summary>The text every absent section starts with.</summary>
    public const string NotComputed = "Not computed";

    /// <summary>A body that says plainly that the section was not computed, and why (<paramref name="why"/>: which table is missing).</summary>
    public static SectionBody Absent(string why) =>
        new(false, $"<p class=\"absent\"><strong>{NotComputed}:</strong> {Reports.Html.Escape(why)}</p>\n");
}
