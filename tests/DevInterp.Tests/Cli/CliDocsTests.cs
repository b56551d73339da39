using System.CommandLine;
using System.Text.RegularExpressions;
using DevInterp.Cli;

namespace DevInterp.Tests.Cli;

/// <summary>docs/cli.md has a section for every command, with an example from the command's own --help, and every
/// command line and option it shows exists.</summary>
public class CliDocsTests
{
    private static readonly Command Root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, interactive: false));

    private static string Doc => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "cli.md"));

    /// <summary>Every command that runs something, as its words after "devinterp" ("llc calibrate", "validate llc").</summary>
    public static TheoryData<string> Commands() => [.. CommandPaths()];

    private static List<string> CommandPaths()
    {
        var data = new List<string>();
        void Walk(Command command, string path)
        {
            foreach (var sub in command.Subcommands)
            {
                string subPath = path.Length == 0 ? sub.Name : path + " " + sub.Name;
                if (sub.Action is not null) data.Add(subPath);
                Walk(sub, subPath);
            }
        }
        Walk(Root, "");
        return data;
    }

    [Fact]
    public void TheCommandTreeIsTheOneTheReadmeNames()
    {
        Assert.Equal(
            ["analyze", "dynamics", "init", "inspect", "llc", "llc calibrate", "merge", "report", "similarity", "slurm resubmit", "slurm status", "slurm submit", "stages", "train", "validate llc"],
            CommandPaths().Order());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EveryCommandHasASectionWithAnExampleFromItsHelp(string command)
    {
        string section = Section(command);
        var help = CliRunner.Run([.. command.Split(' '), "--help"]);
        Assert.Equal(ExitCodes.Success, help.ExitCode);
        var examples = help.Out.Split('\n').SkipWhile(l => l.Trim() != "Examples:").Skip(1)
            .Select(l => l.Trim()).Where(l => l.StartsWith("devinterp ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(examples);
        Assert.True(examples.Any(section.Contains), $"the section of '{command}' shows none of its --help examples: {string.Join(" | ", examples)}");
    }

    [Fact]
    public void EveryCommandLineInTheDocParses()
    {
        var lines = Regex.Matches(Doc, "```\\n(.*?)```", RegexOptions.Singleline)
            .SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(l => l.Trim()).Where(l => l.StartsWith("devinterp ", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= 25, $"only {lines.Count} example lines");
        foreach (string line in lines)
        {
            string commandLine = line.Split('#')[0];
            var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(a => a.Trim('\'')).ToArray();
            var errors = Root.Parse(args).Errors;
            Assert.True(errors.Count == 0, $"'{line}': {string.Join("; ", errors.Select(e => e.Message))}");
        }
    }

    [Fact]
    public void EveryOptionTheDocNamesExists()
    {
        var known = new HashSet<string>();
        void Walk(Command command)
        {
            foreach (var o in command.Options)
            {
                known.Add(o.Name);
                foreach (string alias in o.Aliases) known.Add(alias);
            }
            foreach (var sub in command.Subcommands) Walk(sub);
        }
        Walk(Root);
        known.UnionWith(["--array", "--dependency", "--qos"]); // sbatch's own options, named by the slurm sections
        string commands = Doc[Doc.IndexOf("## Commands", StringComparison.Ordinal)..]; // (the intro shows dotnet run --project)
        var named = Regex.Matches(commands, @"(?<![\w-])--[a-z][a-z-]*").Select(m => m.Value).ToHashSet();
        Assert.Contains("--target-rel-error", named);
        var unknown = named.Where(o => !known.Contains(o)).ToList();
        Assert.True(unknown.Count == 0, $"docs/cli.md names options no command has: {string.Join(", ", unknown)}");
    }

    private static string Section(string command)
    {
        var m = Regex.Match(Doc, $@"^### `devinterp {Regex.Escape(command)}[ `](.*?)(?=^### |^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(m.Success, $"docs/cli.md has no section '### `devinterp {command} ...`'");
        return m.Value;
    }
}
