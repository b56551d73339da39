using Spectre.Console;

namespace DevInterp.Cli;

/// <summary>Where a command writes: results to <see cref="Out"/>, progress and errors to <see cref="Err"/>.</summary>
public sealed class CliContext
{
    /// <summary>Creates a context over two writers (the process's console, or string writers in tests).</summary>
    public CliContext(TextWriter @out, TextWriter err, bool interactive)
    {
        Out = @out;
        Err = err;
        Interactive = interactive;
        OutConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(@out),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        ErrConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(err),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }

    /// <summary>Standard output (results, JSON).</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error (progress, warnings, errors).</summary>
    public TextWriter Err { get; }

    /// <summary>Rich console over <see cref="Out"/> for tables.</summary>
    public IAnsiConsole OutConsole { get; }

    /// <summary>Rich console over <see cref="Err"/> for progress.</summary>
    public IAnsiConsole ErrConsole { get; }

    /// <summary>True when attached to a terminal (live progress bars); false for logs, pipes and tests.</summary>
    public bool Interactive { get; }

    /// <summary>The analysis folder given to <c>--out</c>, once a command has read it (errors about it say where it came from).</summary>
    public string? GivenOut { get; set; }

    /// <summary>Print stack traces with errors.</summary>
    public bool Verbose { get; set; }

    /// <summary>Writes a one-line warning to standard error.</summary>
    public void Warn(string message) => Err.WriteLine($"warning: {message}");
}
