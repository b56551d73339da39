#!/usr/bin/env -S dotnet run
#:project ../src/DevInterp/DevInterp.csproj
// Diagnostics: calibrating the SGLD step size on a checkpoint, then reading an estimate's traces, R̂, ESS and verdict.
// Run: dotnet run notebooks/diagnostics.cs
using DevInterp.Llc;
using DevInterp.Llc.Potentials;
using DevInterp.Models;
using DevInterp.Reports;
using DevInterp.Runs;
using DevInterp.Storage;
using DevInterp.Tasks;
using TorchSharp;

string root = RepositoryRoot();
var run = Run.Open(Path.Combine(root, "checkpoints/tms"));
var spec = ModelSpec.Parse(run.Manifest!.Model!);
using var training = TaskSpec.Parse(run.Manifest!.Task!, run.Directory).LoadTraining();
var (data, loss) = training;
var checkpoint = run.Checkpoints[^1];
using var reader = checkpoint.Open();
using var potential = CheckpointPotentials.Create(spec, reader, data, loss, new CheckpointPotentialOptions());
Console.WriteLine($"TMS checkpoint at step {checkpoint.Step}: {potential.Dimension} parameters, n = {potential.SampleCount}");

// The results are stored as devinterp llc stores them (an analysis folder of Arrow tables); the charts are drawn from there.
string folder = Path.Combine(root, "analyses/diagnostics");
if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
var store = AnalysisStore.Open(folder);
string key = PartKey.ForStep(checkpoint.Step);

// 1. The step-size sweep: a large ε mixes fast, but its discretization error biases λ̂ (up or down: watch the grid);
//    the chosen ε is the largest whose estimate agrees with the next smaller one and whose chains pass the
//    diagnostics (docs/llc.md, "Calibration").
var sweep = new LlcOptions(Chains: 4, Draws: 200, BurnIn: 100);
var calibration = new LlcCalibrator(CalibrationOptions.For(sweep)).Calibrate(potential);
store.Write(key, CalibrationRow.From(checkpoint.Step, calibration, LlcOptions.DefaultNBeta(potential.SampleCount), sweep.Localization));
Console.WriteLine(calibration.Reason);

// 2. An estimate at the chosen ε, and what its diagnostics say.
var clock = System.Diagnostics.Stopwatch.StartNew();
var result = new LlcEstimator(new LlcOptions(StepSize: calibration.Chosen)).Estimate(potential);
store.Write(key, [LlcRow.From(checkpoint.Step, result, clock.Elapsed.TotalSeconds)]);
store.Write(key, LlcTraceRow.From(checkpoint.Step, result));
var d = result.Diagnostics;
Console.WriteLine($"λ̂ = {result.Mean:F3} ± {result.Std:F3} over {result.PerChain.Count} chains × {result.LambdaTraces[0].Length} draws");
Console.WriteLine($"R̂ = {d.RHat:F3}, bulk ESS = {d.BulkEss:F0}, drift = {d.Drift:P1}, negative draws = {d.NegativeFraction:P1}: {d.Verdict}");
foreach (var reason in d.Reasons) Console.WriteLine("  - " + reason);

// 3. The charts, one self-contained HTML page: λ̂ against ε with the chosen ε, then each chain's λ per draw with R̂, ESS and verdict.
string[] sections = ["calibration", "llc-traces"];
string html = Path.Combine(folder, "diagnostics.html");
var report = SectionReport.Write(folder, html, sections); // [app]
Console.WriteLine($"report: {report.Path} ({report.Bytes / 1e6:F1} MB, {report.Charts.Count} charts)"); // [app]
// Plotly.NET cannot load inside the notebook host (its FSharp.Core differs), so the notebook has devinterp report draw the same page.
// [notebook] var cli = System.Diagnostics.Process.Start(Path.Combine(root, "src/DevInterp.Cli/bin/Debug/net10.0/devinterp"), new[] { "report", folder, "--sections", string.Join(",", sections), "--out", html })!;
// [notebook] cli.WaitForExit();
// [notebook] if (cli.ExitCode != 0) throw new Exception($"devinterp report failed with exit code {cli.ExitCode}");
// [notebook] display(HTML(File.ReadAllText(html)));

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "DevInterp.sln"))) return dir.FullName;
    throw new InvalidOperationException("run this from inside the DevInterp repository (no DevInterp.sln above the current folder)");
}
