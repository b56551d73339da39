#!/usr/bin/env -S dotnet run
#:project ../src/DevInterp/DevInterp.csproj
// Quickstart: the whole analysis of the shipped deep-linear-network run, then its tables and charts.
// Run from the repository root or from notebooks/:  dotnet run notebooks/quickstart.cs
using DevInterp.Analysis;
using DevInterp.Reports;
using DevInterp.Runs;
using DevInterp.Storage;

string root = RepositoryRoot();
var run = Run.Open(Path.Combine(root, "checkpoints/dln"));
Console.WriteLine($"{run.Checkpoints.Count} checkpoints, steps {run.Checkpoints[0].Step}..{run.Checkpoints[^1].Step}");

// Short chains keep the notebook quick; `devinterp analyze` uses the full defaults (docs/llc.md).
string folder = Path.Combine(root, "analyses/quickstart");
var config = AnalysisConfigBuilder.Create("quickstart", Path.Combine(root, "checkpoints/dln"), run,
    llc: new LlcSettings(Chains: 4, Draws: 200, BurnIn: 100, TargetRelativeError: null));
var result = AnalysisPipeline.Run(config, run, folder, new AnalyzeOptions(Report: false));
Console.WriteLine($"LLC step size {result.Llc!.StepSize:G3} ({result.Llc.StepSizeSource}); complete: {result.Complete}");

// Every result is an Arrow table; one call gives a DataFrame (pandas/polars read the same files).
var store = AnalysisStore.Open(folder);
var llc = store.ReadDataFrame("llc");
Console.WriteLine(llc["step"].Length + " LLC estimates; columns: " + string.Join(", ", llc.Columns.Take(6).Select(c => c.Name)));
foreach (var row in store.Read<LlcRow>().Where(r => r.Step >= 1000))
    Console.WriteLine($"  step {row.Step,5}: λ̂ = {row.Mean,8:F2} ± {row.Std:F2}  {row.Verdict}");

Console.WriteLine("stages:");
foreach (var s in result.Stages!.Rows)
    Console.WriteLine($"  {s.Stage}: steps {s.StartStep}..{s.EndStep}  boundary from {string.Join(", ", s.Signals)}");

// The charts: the library writes self-contained HTML (plotly.js inlined, opens offline). Plotly.NET cannot load inside
// the notebook host (its FSharp.Core differs), so the notebook has the devinterp command line write the same report.
var report = AnalysisReport.Write(folder); // [app]
Console.WriteLine($"report: {report.Path} ({report.Bytes / 1e6:F1} MB, {report.Charts.Count} charts)"); // [app]
// [notebook] var cli = System.Diagnostics.Process.Start(Path.Combine(root, "src/DevInterp.Cli/bin/Debug/net10.0/devinterp"), new[] { "report", folder })!;
// [notebook] cli.WaitForExit();
// [notebook] if (cli.ExitCode != 0) throw new Exception($"devinterp report failed with exit code {cli.ExitCode}");
// [notebook] display(HTML(File.ReadAllText(Path.Combine(folder, "report.html"))));

// The repository, whichever folder this is run from.
static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DevInterp.sln"))) return dir.FullName;
    throw new InvalidOperationException("run this from inside the DevInterp repository (no DevInterp.sln above the current folder)");
}
