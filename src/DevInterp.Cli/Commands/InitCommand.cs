using System.CommandLine;
using DevInterp.Init;

namespace DevInterp.Cli.Commands;

/// <summary>
/// <c>devinterp init RUN</c>: proposes model.json, task.json and names.json for a run DevInterp did not train (a thin
/// shell over <see cref="RunSetup"/>), says what is left to choose, and prints the <c>analyze</c> command to run.
/// </summary>
public static class InitCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build(CliContext context)
    {
        var run = PathArgument.Create("run", "The run folder (checkpoints, and the data files beside them)");
        var outDir = new Option<string?>("--out") { Description = "Folder for model.json, task.json and names.json (default: devinterp/<run name>)" };
        var key = new Option<string?>("--key") { Description = "Dotted key path to the state dict inside each checkpoint (default: found automatically)" };
        var force = new Option<bool>("--force") { Description = "Overwrite files an earlier init wrote" };
        var json = new Option<bool>("--json") { Description = "Print what was written and what is left to choose as JSON" };
        var command = new Command("init",
            "Propose the setup of a run DevInterp did not train: reads one checkpoint and writes a model spec and a name map " +
            "from its tensor names and shapes, and a task from the data files beside it, as JSON files with comments saying " +
            "where each value came from; fields it cannot infer hold \"CHOOSE: ...\" until you fill them in. Then prints the " +
            "analyze command to run.")
        {
            run, outDir, key, force, json,
        };
        command.WithExamples(
            "devinterp init runs/grokking",
            "devinterp init runs/tanh-mlp --out setup/tanh",
            "devinterp init runs/grokking --key model --force");
        command.SetGuardedAction(context, parse =>
        {
            string runPath = parse.GetValue(run)!;
            string name = RunSetup.NameOf(runPath);
            string folder = parse.GetValue(outDir) ?? Path.Combine("devinterp", name);
            var setup = RunSetup.Propose(runPath, folder, new RunSetupOptions(parse.GetValue(key)));
            var written = setup.Write(parse.GetValue(force));
            string analyze = setup.AnalyzeCommand(folder, Path.Combine("analyses", name).Replace('\\', '/'));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Out, new
                {
                    run = setup.Run.Directory,
                    checkpoint = setup.Checkpoint.Path,
                    model = setup.ModelDescription,
                    task = setup.TaskDescription,
                    written,
                    name_map = setup.BuiltInNameMap,
                    choices = setup.Choices.Select(c => new { file = Path.Combine(folder, c.File), field = c.Field, options = c.Options, reason = c.Reason }),
                    notes = setup.Notes,
                    analyze,
                });
                return ExitCodes.Success;
            }
            var o = context.Out;
            o.WriteLine($"run: {setup.Run.Directory} ({setup.Run.Checkpoints.Count} checkpoints); read {Path.GetFileName(setup.Checkpoint.Path.TrimEnd('/'))}");
            o.WriteLine($"model: {setup.ModelDescription}{(setup.BuiltInNameMap is { } m ? $" (built-in name map {m})" : "")}");
            o.WriteLine($"task: {setup.TaskDescription}");
            o.WriteLine("wrote:");
            foreach (string w in written) o.WriteLine($"  {Path.GetRelativePath(Directory.GetCurrentDirectory(), w)}");
            foreach (string note in setup.Notes) o.WriteLine($"note: {note}");
            if (setup.Choices.Count > 0)
            {
                o.WriteLine($"to choose before running ({setup.Choices.Count}; each is a \"CHOOSE: ...\" value in the file):");
                foreach (var c in setup.Choices)
                    o.WriteLine($"  {Path.Combine(folder, c.File)}  \"{c.Field}\": one of {string.Join(", ", c.Options)} — {c.Reason}");
            }
            o.WriteLine("check the comments marked CHECK in the files, then run:");
            o.WriteLine($"  {analyze}");
            return ExitCodes.Success;
        });
        return command;
    }
}
