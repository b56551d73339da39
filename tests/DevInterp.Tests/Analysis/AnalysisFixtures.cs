using System.CommandLine;
using DevInterp.Analysis;
using DevInterp.Cli;
using DevInterp.Cli.Commands;

namespace DevInterp.Tests.Analysis;

/// <summary>Shared set-up of the run-analysis tests: the shipped runs, copies of them, analysis folders, the commands.</summary>
internal static class AnalysisFixtures
{
    public static string ShippedRun(string name) => Path.Combine(TestPaths.RepoRoot, "checkpoints", name);

    /// <summary>A copy of a shipped run in a fresh temporary folder (to corrupt or change).</summary>
    public static string CopyOfRun(string name)
    {
        string target = Path.Combine(TestPaths.NewTempDir(), name);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(ShippedRun(name)))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    /// <summary>A new analysis folder (not yet created) inside a fresh temporary folder.</summary>
    public static string NewAnalysisFolder(string name = "analysis") => Path.Combine(TestPaths.NewTempDir(), name);

    /// <summary>analysis.json for <paramref name="run"/> in <paramref name="folder"/> with the given changes, resolved.</summary>
    public static RunAnalysisInputs Prepare(string folder, string run, Func<AnalysisConfig, AnalysisConfig>? configure = null) =>
        RunAnalysisInputs.Resolve(AnalysisSetup.Prepare(folder, new AnalysisRequest(run), configure ?? (c => c), ["similarity", "dynamics"]));

    public sealed record CliResult(int ExitCode, string Out, string Err);

    /// <summary>
    /// Runs the similarity, dynamics and stages commands in-process through a root like CliApp's (they are registered
    /// there by the lead; this keeps the tests independent of that).
    /// </summary>
    public static CliResult Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, interactive: false);
        var root = new Command("devinterp") { CliApp.VerboseOption };
        root.Subcommands.Add(SimilarityCommand.Build(context));
        root.Subcommands.Add(DynamicsCommand.Build(context));
        root.Subcommands.Add(StagesCommand.Build(context));
        int code;
        try
        {
            code = root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            code = CliApp.ReportError(context, e);
        }
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
