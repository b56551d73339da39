using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using DevInterp.Reports;
using DevInterp.Storage;

namespace DevInterp.Cli.Commands;

/// <summary><c>devinterp report</c>: re-renders an analysis folder's HTML report from its tables, without recomputing.</summary>
public static class ReportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var analysis = PathArgument.Create("analysis", "The analysis folder (analyses/NAME, with analysis.json and the result tables)");
        var outFile = new Option<string?>("--out") { Description = $"The HTML file to write (default: {AnalysisReport.FileName} in the analysis folder)" };
        var open = new Option<bool>("--open") { Description = "Open the report in the system's default browser once written" };
        var json = new Option<bool>("--json") { Description = "Print the file written, its size and each section as JSON" };
        var sections = new Option<string?>("--sections")
        {
            Description = "Draw only these sections, in this order (comma-separated ids: " +
                string.Join(", ", SectionReport.Available.Select(s => s.Id)) + "; llc-traces, the traces of every estimate, is not on the full page)",
        };
        var command = new Command("report",
            "Draw the HTML report of an analysis folder from its stored tables only (nothing is recomputed): run summary, " +
            "loss and accuracy, LLC over steps with diagnostics and traces of flagged estimates, similarity heatmaps and " +
            "adjacent-step curves, the essential-dynamics trajectory and the stage table (docs/report.md). One self-contained " +
            "file: plotly.js is inlined once and the page makes no network request, so it opens offline and can be mailed.")
        {
            analysis, outFile, open, json, sections,
        };
        command.WithExamples(
            "devinterp report analyses/dln",
            "devinterp report analyses/dln --out /tmp/dln-report.html --open",
            "devinterp report analyses/tms --json",
            "devinterp report analyses/tms --sections calibration,llc-diagnostics,llc-traces --out /tmp/tms-llc.html");
        command.SetGuardedAction(context, parse =>
        {
            string folder = parse.GetValue(analysis)!;
            string? output = parse.GetValue(outFile);
            if (output is not null && Directory.Exists(output))
                throw new UsageException($"--out {output}: is a folder; give the HTML file to write (e.g. {Path.Combine(output, AnalysisReport.FileName)})");
            string[]? chosen = parse.GetValue(sections)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (chosen is not null)
            {
                // The library's check, reported as a usage error of the option.
                try { SectionReport.Choose(chosen); }
                catch (ArgumentException e) { throw new UsageException($"--sections {parse.GetValue(sections)}: {e.Message}"); }
            }
            ReportResult result;
            try
            {
                result = chosen is null ? AnalysisReport.Write(folder, output) : SectionReport.Write(folder, output, chosen);
            }
            catch (AnalysisStoreException e)
            {
                // A store problem is bad input (a corrupt or foreign table), reported as one line like the other file errors.
                throw new InvalidDataException(e.Message, e);
            }
            if (parse.GetValue(json)) JsonOutput.Write(context.Out, ToJson(result));
            else Print(context, result);
            if (parse.GetValue(open)) Open(context, result.Path);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Print(CliContext context, ReportResult result)
    {
        var absent = result.Sections.Where(s => !s.Present).Select(s => s.Id).ToList();
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {result.Path} ({result.Bytes / (1024.0 * 1024):F1} MB, {result.Charts.Count} charts, {result.Sections.Count(s => s.Present)} of {result.Sections.Count} sections)"));
        if (absent.Count > 0) context.Out.WriteLine($"not computed: {string.Join(", ", absent)}");
    }

    private static object ToJson(ReportResult result) => new
    {
        path = result.Path,
        bytes = result.Bytes,
        charts = result.Charts.Count,
        sections = result.Sections.Select(s => new { id = s.Id, title = s.Title, present = s.Present, charts = s.Charts }),
    };

    // The report is already written: failing to start a browser is a warning, not an error.
    private static void Open(CliContext context, string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path) { UseShellExecute = true });
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            context.Warn($"--open: could not start a browser for {path} ({e.Message}); open the file yourself");
        }
    }
}
