using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace DevInterp.Cli;

/// <summary>
/// Progress on standard error: a live Spectre.Console bar with ETA on a terminal; plain lines (at most one every few
/// seconds, plus the last) in logs and pipes, so CI output stays readable; nothing with --quiet.
/// </summary>
public sealed class ProgressReporter
{
    private readonly CliContext _context;
    private readonly bool _quiet;

    /// <summary>Creates a reporter.</summary>
    public ProgressReporter(CliContext context, bool quiet)
    {
        _context = context;
        _quiet = quiet;
    }

    /// <summary>Runs <paramref name="work"/>, giving it a callback (done, total, description) that updates the display.</summary>
    public T Run<T>(string title, Func<Action<double, double, string>, T> work)
    {
        if (_quiet) return work((_, _, _) => { });
        if (!_context.Interactive) return RunPlain(title, work);
        T result = default!;
        _context.ErrConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                result = work((done, total, description) =>
                {
                    task.MaxValue = Math.Max(total, 1e-9);
                    task.Value = Math.Min(done, total);
                    task.Description = Markup.Escape(string.IsNullOrEmpty(description) ? title : $"{title}: {description}");
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    private T RunPlain<T>(string title, Func<Action<double, double, string>, T> work)
    {
        var clock = Stopwatch.StartNew();
        double lastPrint = double.NegativeInfinity;
        bool printedEnd = false;
        var result = work((done, total, description) =>
        {
            double seconds = clock.Elapsed.TotalSeconds;
            bool finished = done >= total;
            if (finished ? printedEnd : seconds - lastPrint < 5) return;
            lastPrint = seconds;
            printedEnd = finished;
            double fraction = total > 0 ? Math.Clamp(done / total, 0, 1) : 1;
            string eta = fraction > 0 && !finished ? $", eta {FormatSeconds(seconds * (1 - fraction) / fraction)}" : "";
            _context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{title}: {fraction:P0}{(description.Length > 0 ? " " + description : "")} ({FormatSeconds(seconds)}{eta})"));
        });
        return result;
    }

    private static string FormatSeconds(double s) =>
        s < 60 ? $"{s:F0}s" : s < 3600 ? $"{(int)(s / 60)}m{(int)(s % 60):D2}s" : $"{(int)(s / 3600)}h{(int)(s % 3600 / 60):D2}m";
}
