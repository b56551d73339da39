using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using DevInterp.Checkpoints;
using DevInterp.Cli.Commands;
using DevInterp.Runs;

namespace DevInterp.Cli;

/// <summary>The <c>devinterp</c> command line: a thin shell over the DevInterp library.</summary>
public static class CliApp
{
    /// <summary>Global flag: print stack traces with errors.</summary>
    public static readonly Option<bool> VerboseOption = new("--verbose")
    {
        Description = "Print full stack traces with errors",
        Recursive = true,
    };

    /// <summary>Runs the command line with the process's console.</summary>
    public static int Run(string[] args) =>
        Run(args, new CliContext(Console.Out, Console.Error, !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null));

    /// <summary>Runs the command line against a context (tests pass string writers).</summary>
    public static int Run(string[] args, CliContext context)
    {
        DevInterp.Native.OpenMpPolicy.Apply(); // before torch loads: idle OpenMP threads sleep instead of spinning
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        context.Verbose = parse.GetValue(VerboseOption);
        // A usage error is one line naming the option or argument (and where the full usage is), not the whole help.
        if (parse.Errors.Count > 0 && !args.Any(a => a is "--help" or "-h" or "-?"))
        {
            var names = new List<string>();
            for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult) names.Insert(0, r.Command.Name);
            string command = string.Join(' ', names);
            string errors = string.Join("; ", parse.Errors.Select(e => OneLine(e.Message).Trim()).Distinct());
            context.Err.WriteLine($"error: {errors} (see `{command} --help`)");
            if (args.Contains("--json")) JsonError(context, ExitCodes.Usage, $"{errors} (see `{command} --help`)", null);
            return ExitCodes.Usage;
        }
        var config = new InvocationConfiguration { Output = context.Out, Error = context.Err, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception e)
        {
            return ReportError(context, e);
        }
    }

    /// <summary>Builds the command tree.</summary>
    public static Command BuildRoot(CliContext context)
    {
        // A plain Command rather than RootCommand so that usage lines say "devinterp" whatever the host process is.
        var root = new Command("devinterp",
            "DevInterp: replay the checkpoints of a training run, estimate local learning coefficients, compare " +
            "representations across steps and find developmental stages.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(VerboseOption);
        root.Subcommands.Add(AnalyzeCommand.Build(context));
        root.Subcommands.Add(AnalyzeCommand.BuildMerge(context));
        root.Subcommands.Add(InspectCommand.Build(context));
        root.Subcommands.Add(InitCommand.Build(context));
        root.Subcommands.Add(TrainCommand.Build(context));
        root.Subcommands.Add(LlcCommand.Build(context));
        root.Subcommands.Add(SimilarityCommand.Build(context));
        root.Subcommands.Add(DynamicsCommand.Build(context));
        root.Subcommands.Add(StagesCommand.Build(context));
        root.Subcommands.Add(ReportCommand.Build(context));
        root.Subcommands.Add(ValidateCommand.Build(context));
        root.Subcommands.Add(SlurmCommand.Build(context));
        AddExamples(root, context);
        return root;
    }

    /// <summary>
    /// Maps an exception to one line on standard error (the file, folder or option at fault and why; never an
    /// exception type name, a stack or a raw control character) and an exit code; with <paramref name="json"/> the
    /// error is also written to standard output as JSON (<c>{"error": {"message", "path", "exit_code"}}</c>), so a tool
    /// reading a command's --json output always gets JSON.
    /// </summary>
    public static int ReportError(CliContext context, Exception e, bool json = false)
    {
        var (code, message) = e switch
        {
            UsageException u => (ExitCodes.Usage, u.Message),
            DevInterp.Analysis.SettingsException s => (ExitCodes.Usage, s.Message),
            DevInterp.Analysis.AnalysisFolderException f => (ExitCodes.BadInput, context.GivenOut is { } o && SamePath(o, f.Folder)
                ? $"{o} (the --out folder): {f.Reason}" : f.Message),
            CheckpointFormatException c => (ExitCodes.BadInput, c.Message),
            RunFormatException r => (ExitCodes.BadInput, r.Message),
            DevInterp.Tasks.DataFileException d => (ExitCodes.BadInput, d.Message),
            DevInterp.Models.SpecFormatException s => (ExitCodes.BadInput, s.Message),
            DevInterp.Tasks.TaskFitException t => (ExitCodes.BadInput, t.Message),
            System.Runtime.InteropServices.ExternalException x => (ExitCodes.BadInput, NativeMessage(x)),
            KeyNotFoundException k => (ExitCodes.BadInput, k.Message),
            FileNotFoundException f => (ExitCodes.BadInput, f.FileName is { } n ? $"{n}: no such file" : f.Message),
            DirectoryNotFoundException d => (ExitCodes.BadInput, d.Message),
            InvalidDataException d => (ExitCodes.BadInput, d.Message),
            System.Text.Json.JsonException j => (ExitCodes.BadInput, j.Message),
            IOException io => (ExitCodes.BadInput, io.Message),
            DevInterp.Cluster.SlurmException sl => (ExitCodes.BadInput, sl.Message),
            UnauthorizedAccessException ua => (ExitCodes.BadInput, ua.Message),
            ArgumentException a => (ExitCodes.Usage, a.Message),
            OutOfMemoryException => (ExitCodes.BadInput, "out of memory: the settings or the input need more memory than this machine has"),
            _ => (ExitCodes.BadInput, e.Message),
        };
        // Messages of the library's own errors say what to do; anything else may hide a bug worth a stack trace.
        bool known = code == ExitCodes.Usage || e is IOException or UnauthorizedAccessException or CheckpointFormatException or RunFormatException
            or DevInterp.Tasks.DataFileException or DevInterp.Tasks.TaskFitException or DevInterp.Models.SpecFormatException
            or DevInterp.Analysis.AnalysisFolderException or DevInterp.Cluster.SlurmException or System.Runtime.InteropServices.ExternalException
            or KeyNotFoundException or InvalidDataException or System.Text.Json.JsonException;
        string hint = known || context.Verbose ? "" : " (run with --verbose for details)";
        string line = PrintableText.OneLine(message);
        context.Err.WriteLine($"error: {line}{hint}");
        if (json) JsonError(context, code, line, e switch { CheckpointFormatException c => c.FilePath, RunFormatException r => r.FilePath, _ => null });
        if (context.Verbose) context.Err.WriteLine(e.ToString());
        return code;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd('/'), Path.GetFullPath(b).TrimEnd('/'), StringComparison.Ordinal);

    private static string OneLine(string s) => s.Replace("\r", " ").Replace("\n", " ");

    // The JSON form of an error under --json (docs/cli.md, "Exit codes and errors").
    private static void JsonError(CliContext context, int code, string message, string? path) =>
        JsonOutput.Write(context.Out, new { error = new { message, path, exit_code = code } });

    // libtorch's messages carry a C++ stack trace after the first line ("Exception raised from ..."); the user gets the first line.
    private static string NativeMessage(System.Runtime.InteropServices.ExternalException e) =>
        $"libtorch: {e.Message.Split('\n', 2)[0].Trim()}";

    /// <summary>Wraps a command body: exceptions become one-line errors with the documented exit codes.</summary>
    public static void SetGuardedAction(this Command command, CliContext context, Func<ParseResult, int> body)
    {
        command.SetAction(parse =>
        {
            try
            {
                return body(parse);
            }
            catch (Exception e)
            {
                return ReportError(context, e, WantsJson(parse));
            }
        });
    }

    // True when the command has a --json flag and it was given.
    private static bool WantsJson(ParseResult parse) =>
        parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--json") is Option<bool> json && parse.GetValue(json);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, string[]> Examples = new();

    /// <summary>Registers usage examples printed at the end of a command's --help.</summary>
    public static Command WithExamples(this Command command, params string[] examples)
    {
        Examples.AddOrUpdate(command, examples);
        return command;
    }

    private static void AddExamples(Command command, CliContext context)
    {
        foreach (var option in command.Options)
        {
            if (option is HelpOption help && help.Action is HelpAction inner)
                help.Action = new HelpWithExamples(inner, context);
        }
        foreach (var sub in command.Subcommands) AddExamples(sub, context);
    }

    private sealed class HelpWithExamples(HelpAction inner, CliContext context) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            inner.Invoke(parseResult);
            if (Examples.TryGetValue(parseResult.CommandResult.Command, out var examples) && examples.Length > 0)
            {
                context.Out.WriteLine("Examples:");
                foreach (string e in examples) context.Out.WriteLine($"  {e}");
                context.Out.WriteLine();
            }
            return ExitCodes.Success;
        }
    }
}
